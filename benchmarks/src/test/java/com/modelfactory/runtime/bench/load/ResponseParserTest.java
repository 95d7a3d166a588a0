package com.modelfactory.runtime.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void contentLengthResponseIsCompleteOnlyWithItsWholeBody() {
        byte[] r = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        ResponseParser p = ResponseParser.create();
        assertEquals(ResponseParser.INCOMPLETE, p.parse(r, r.length - 1, false));
        assertEquals(ResponseParser.INCOMPLETE, p.parse(r, 20, false));
        assertEquals(r.length, p.parse(r, r.length, false));
        assertEquals(200, p.status());
        assertFalse(p.close());
    }

    @Test
    void chunkedResponseEndsAtTheZeroChunkAndItsEmptyLine() {
        byte[] r = bytes("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
        ResponseParser p = ResponseParser.create();
        assertEquals(ResponseParser.INCOMPLETE, p.parse(r, r.length - 2, false));
        assertEquals(r.length, p.parse(r, r.length, false));
        assertEquals(503, p.status());
    }

    @Test
    void connectionCloseAndHttp10AreReported() {
        byte[] r = bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        ResponseParser p = ResponseParser.create();
        assertEquals(r.length, p.parse(r, r.length, false));
        assertTrue(p.close());
        byte[] old = bytes("HTTP/1.0 200 OK\r\n\r\nbody");
        assertEquals(ResponseParser.INCOMPLETE, p.parse(old, old.length, false));
        assertEquals(old.length, p.parse(old, old.length, true));
        assertTrue(p.close());
    }

    @Test
    void garbageIsRejected() {
        byte[] r = bytes("SSH-2.0-OpenSSH\r\n\r\n");
        assertThrows(IllegalStateException.class, () -> ResponseParser.create().parse(r, r.length, false));
    }
}
