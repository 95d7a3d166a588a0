package com.modelfactory.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.GrpcTestRequests;
import com.modelfactory.runtime.grpc.proto.GRPCInferenceServiceGrpc;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.TestCertificates;
import com.modelfactory.runtime.testing.TestCertificates.Issued;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with certificates and a CA made by the test: HTTP/1.1, h2 (ALPN) and gRPC on both ports with real
 * clients; mutual TLS refusing no certificate and another CA's; files that cannot be used stop start-up;
 * new certificates taken without a restart while requests keep being answered.
 */
class TlsTest {
    private static final String MODEL = TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString();
    @TempDir
    Path dir;
    private Issued ca;
    private Path cert;
    private Path key;

    @BeforeEach
    void certificates() throws Exception {
        ca = TestCertificates.ca("test CA");
        Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem(ca.cert()));
        cert = TestCertificates.issue(ca, "server").write(dir, "server");
        key = dir.resolve("server-key.pem");
    }

    private static HttpResponse<String> get(SSLContext ssl, HttpClient.Version version, int port, String path)
            throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(ssl).version(version).build();
        return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void httpH2AndGrpcOverTlsOnBothPorts() throws Exception {
        int grpcPort = freePort();
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--model-name", "cnn", "--tls-cert-file",
                cert.toString(), "--tls-key-file", key.toString(), "--grpc-port", Integer.toString(grpcPort))) {
            SSLContext client = TestCertificates.client(ca, null);
            int port = rt.server().port();
            HttpResponse<String> h1 = get(client, HttpClient.Version.HTTP_1_1, port, "/v2/models/cnn");
            assertEquals(200, h1.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, h1.version());
            HttpResponse<String> h2 = get(client, HttpClient.Version.HTTP_2, port, "/v2/health/ready");
            assertEquals(200, h2.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, h2.version(), "h2 chosen by ALPN");
            for (int p : new int[] {port, grpcPort}) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", p)
                        .sslContext(GrpcSslContexts.forClient().trustManager(dir.resolve("ca.pem").toFile()).build())
                        .build();
                try {
                    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                    assertEquals(1, stub.modelInfer(GrpcTestRequests.tinyCnn("cnn")).getOutputsCount(), "port " + p);
                } finally {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
            SSLContext untrusting = TestCertificates.client(TestCertificates.ca("another CA"), null);
            assertThrows(IOException.class, () -> get(untrusting, HttpClient.Version.HTTP_1_1, port, "/v2"),
                    "a client that does not trust the CA cannot connect");
        }
    }

    @Test
    void theHealthPortServesTheProbesInPlainTextAndNothingElse() throws Exception {
        int healthPort = freePort();
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "- token: t\n  groups: [metadata]\n");
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--tls-cert-file", cert.toString(), "--tls-key-file",
                key.toString(), "--auth-tokens-file", tokens.toString(), "--health-port", Integer.toString(healthPort))) {
            HttpClient plain = HttpClient.newHttpClient();
            for (String path : List.of("/health/ready", "/health/live", "/v2/health/ready", "/v2/health/live")) {
                assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), path);
            }
            HttpResponse<String> other = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort
                    + "/v2/models/model")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            assertTrue(other.body().startsWith("{\"error\":"), other.body());
        }
    }

    /** With openssl's own client, which still offers TLS 1.0 and 1.1 (the JDK's refuses to). */
    @Test
    void onlyTls12And13AreSpoken() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("openssl", "version").start().waitFor() == 0,
                "openssl is not installed: the protocol check needs its client");
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--tls-cert-file", cert.toString(), "--tls-key-file",
                key.toString())) {
            for (String version : List.of("-tls1", "-tls1_1", "-tls1_2", "-tls1_3")) {
                Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + rt.server().port(),
                        version, "-CAfile", dir.resolve("ca.pem").toString()).redirectErrorStream(true).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor(30, TimeUnit.SECONDS);
                boolean connected = out.contains("Cipher is ") && !out.contains("Cipher is (NONE)");
                assertEquals(version.equals("-tls1_2") || version.equals("-tls1_3"), connected, version + ":\n" + out);
            }
        }
    }

    @Test
    void aPkcs1RsaKeyIsTakenToo() throws Exception {
        Issued issued = TestCertificates.issue(ca, "server");
        Path pkcs1Cert = issued.write(dir, "pkcs1");
        Path pkcs1Key = dir.resolve("pkcs1-key.pem");
        java.io.StringWriter w = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter pem = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(w)) {
            pem.writeObject(issued.keys().getPrivate()); // OpenSSL's traditional form: BEGIN RSA PRIVATE KEY
        }
        Files.writeString(pkcs1Key, w.toString());
        assertTrue(w.toString().contains("BEGIN RSA PRIVATE KEY"));
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--tls-cert-file", pkcs1Cert.toString(),
                "--tls-key-file", pkcs1Key.toString())) {
            assertEquals(issued.cert().getSerialNumber(), serial(TestCertificates.client(ca, null), rt.server().port()));
        }
    }

    @Test
    void mutualTlsRefusesNoCertificateAndAnotherCasAtTheHandshake() throws Exception {
        Issued client = TestCertificates.issue(ca, "client");
        Issued stranger = TestCertificates.issue(TestCertificates.ca("another CA"), "stranger");
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--tls-cert-file", cert.toString(), "--tls-key-file",
                key.toString(), "--tls-client-ca-file", dir.resolve("ca.pem").toString())) {
            int port = rt.server().port();
            assertThrows(IOException.class, () -> get(TestCertificates.client(ca, null), HttpClient.Version.HTTP_1_1,
                    port, "/v2"), "no client certificate");
            assertThrows(IOException.class, () -> get(TestCertificates.client(ca, stranger), HttpClient.Version.HTTP_1_1,
                    port, "/v2"), "a certificate from another CA");
            assertEquals(200, get(TestCertificates.client(ca, client), HttpClient.Version.HTTP_1_1, port, "/v2")
                    .statusCode());
        }
    }

    @Test
    void filesThatCannotBeUsedStopStartUpNamingTheFile() throws Exception {
        Instant past = Instant.now().minus(30, ChronoUnit.DAYS);
        Path expired = TestCertificates.issue(ca, "old", past, past.plus(1, ChronoUnit.DAYS)).write(dir, "expired");
        StartupException e = assertThrows(StartupException.class, () -> TestRuntime.start("--model", MODEL,
                "--tls-cert-file", expired.toString(), "--tls-key-file", dir.resolve("expired-key.pem").toString()));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains(expired.toString()) && e.getMessage().contains("not valid now"),
                e.getMessage());
        Path other = TestCertificates.issue(ca, "other").write(dir, "other");
        e = assertThrows(StartupException.class, () -> TestRuntime.start("--model", MODEL, "--tls-cert-file",
                cert.toString(), "--tls-key-file", dir.resolve("other-key.pem").toString()));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("is not the private key of the certificate"), e.getMessage());
        assertTrue(Files.exists(other));
    }

    @Test
    void newCertificatesAreServedWithoutARestartAndNoRequestFails() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--model-name", "cnn", "--tls-cert-file",
                cert.toString(), "--tls-key-file", key.toString())) {
            int port = rt.server().port();
            SSLContext client = TestCertificates.client(ca, null);
            BigInteger first = serial(client, port);
            AtomicBoolean running = new AtomicBoolean(true);
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            Thread load = new Thread(() -> {
                HttpClient c = HttpClient.newBuilder().sslContext(client).build();
                while (running.get()) {
                    try {
                        int s = c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/models/cnn"))
                                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (s != 200) {
                            failures.add("status " + s);
                        }
                    } catch (Exception ex) {
                        failures.add(ex.toString());
                    }
                }
            });
            load.start();
            try {
                Issued renewed = TestCertificates.issue(ca, "server");
                Path tmp = Files.createDirectory(dir.resolve("renewed"));
                renewed.write(tmp, "server");
                Files.move(tmp.resolve("server-key.pem"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp.resolve("server.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(2)));
                Await.until("new connections see the renewed certificate",
                        () -> renewed.cert().getSerialNumber().equals(serialQuietly(client, port)));
            } finally {
                running.set(false);
                load.join();
            }
            assertTrue(!first.equals(serial(client, port)));
            assertEquals(List.of(), failures, "requests during the rotation");
        }
    }

    private static BigInteger serialQuietly(SSLContext ctx, int port) {
        try {
            return serial(ctx, port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static BigInteger serial(SSLContext ctx, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
