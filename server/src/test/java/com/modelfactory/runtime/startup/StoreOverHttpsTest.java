package com.modelfactory.runtime.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.TestArchives;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.testing.TestCertificates;
import com.modelfactory.runtime.testing.TestCertificates.Issued;
import com.modelfactory.runtime.testing.TestRuntime;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model store over https with its own CA (made by the test): verified against STORE_CA_FILE, refused
 * without it, refused when the certificate names another host; the GUID never in the message.
 */
class StoreOverHttpsTest {
    @TempDir
    Path dir;

    private HttpsServer store(Issued serverCert, byte[] archive) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("store", serverCert.keys().getPrivate(), new char[0],
                new java.security.cert.Certificate[] {serverCert.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/", ex -> {
            ex.sendResponseHeaders(200, archive.length);
            ex.getResponseBody().write(archive);
            ex.close();
        });
        s.start();
        return s;
    }

    private int starts;

    private Map<String, String> env(HttpsServer s, Path ca) {
        Map<String, String> env = new HashMap<>(Map.of("XQUERY_ADDR", "https://127.0.0.1:" + s.getAddress().getPort(),
                "MODEL_ID", "grader", "MODEL_VERSION", "2", "GUID", "guid-secret-1", "MODEL_DIR", dir.resolve("models-" + ++starts)
                        .toString(), "DOWNLOAD_RETRIES", "0"));
        if (ca != null) {
            env.put("STORE_CA_FILE", ca.toString());
        }
        return env;
    }

    @Test
    void theStoresOwnCaIsTrustedAndNothingElse() throws Exception {
        Issued ca = TestCertificates.ca("store CA");
        Path caFile = dir.resolve("store-ca.pem");
        Files.writeString(caFile, TestCertificates.pem(ca.cert()));
        byte[] archive = TestArchives.tarGz(TestArchives.legacyLayout("grader.onnx",
                Files.readAllBytes(TestRuntime.fixture("onnx/tiny_cnn/model.onnx"))));
        HttpsServer good = store(TestCertificates.issue(ca, "store"), archive);
        try {
            try (TestRuntime rt = TestRuntime.start(env(good, caFile))) {
                assertEquals(200, rt.get("/v2/health/ready").statusCode(), "downloaded over https with STORE_CA_FILE");
            }
            StartupException untrusted = assertThrows(StartupException.class, () -> TestRuntime.start(env(good, null)));
            assertEquals(1, untrusted.exitCode());
            assertTrue(untrusted.getMessage().contains("127.0.0.1"), untrusted.getMessage());
            assertFalse(untrusted.getMessage().contains("guid-secret-1"), untrusted.getMessage());
        } finally {
            good.stop(0);
        }
        Instant now = Instant.now();
        Issued otherHost = otherHost(ca, now);
        HttpsServer wrongName = store(otherHost, archive);
        try {
            StartupException e = assertThrows(StartupException.class, () -> TestRuntime.start(env(wrongName, caFile)));
            assertEquals(1, e.exitCode());
            assertFalse(e.getMessage().contains("guid-secret-1"), e.getMessage());
        } finally {
            wrongName.stop(0);
        }
    }

    /** A certificate from the right CA for another host name only. */
    private static Issued otherHost(Issued ca, Instant now) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        java.security.KeyPair keys = g.generateKeyPair();
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                new org.bouncycastle.asn1.x500.X500Name(ca.cert().getSubjectX500Principal().getName()),
                java.math.BigInteger.valueOf(now.toEpochMilli()), java.util.Date.from(now.minus(1, ChronoUnit.HOURS)),
                java.util.Date.from(now.plus(1, ChronoUnit.DAYS)), new org.bouncycastle.asn1.x500.X500Name("CN=store.example"),
                keys.getPublic()).addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.dNSName, "store.example")));
        var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(b.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(ca.keys().getPrivate())));
        return new Issued(keys, cert);
    }
}
