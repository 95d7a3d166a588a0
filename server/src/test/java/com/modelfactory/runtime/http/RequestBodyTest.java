package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class RequestBodyTest {
    private static final byte[] BODY = {1, 2, 3, 4, 5};

    @Test
    void aBufferSizedToTheBodyIsTakenAsItIs() {
        Buffer exact = Buffer.buffer(BODY.length).appendBytes(BODY); // what a preallocating body handler holds
        byte[] bytes = RequestBody.bytesOf(exact);
        assertArrayEquals(BODY, bytes);
        assertSame(bytes, RequestBody.bytesOf(exact), "no copy");
    }

    @Test
    void aBufferWithRoomLeftIsCopiedToTheBodyLength() {
        Buffer roomy = Buffer.buffer(64).appendBytes(BODY);
        byte[] bytes = RequestBody.bytesOf(roomy);
        assertArrayEquals(BODY, bytes);
        assertNotSame(bytes, RequestBody.bytesOf(roomy));
        assertArrayEquals(new byte[0], RequestBody.bytesOf(null));
    }
}
