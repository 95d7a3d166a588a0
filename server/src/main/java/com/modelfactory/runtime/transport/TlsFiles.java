package com.modelfactory.runtime.transport;

import com.modelfactory.runtime.config.RuntimeConfig.TlsSettings;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS for the HTTP and gRPC ports from PEM files: TLS 1.2 and 1.3 only (the JDK's default suites for them,
 * none weak), ALPN offering h2 and http/1.1 (so gRPC over TLS works on the HTTP port), and mutual TLS
 * against a client CA. The files are checked before use, so a certificate and key that do not belong
 * together, an expired or not yet valid certificate, or an unreadable file is an error naming the file and
 * the cause, at start-up (exit 2) and at a rotation (the files in force are kept).
 */
public final class TlsFiles {
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private TlsFiles() {
    }

    /** {@code options} serving TLS from {@code tls}. */
    public static HttpServerOptions apply(HttpServerOptions options, TlsSettings tls) {
        ServerSSLOptions ssl = sslOptions(tls);
        options.setSsl(true).setUseAlpn(true).setKeyCertOptions(ssl.getKeyCertOptions())
                .setEnabledSecureTransportProtocols(PROTOCOLS);
        if (io.vertx.core.net.OpenSSLEngineOptions.isAvailable()) {
            // BoringSSL: TLS at 32 keep-alive clients ran 0.61x of plain with the JDK's SSLEngine
            options.setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
        }
        if (tls.clientCa() != null) {
            options.setTrustOptions(ssl.getTrustOptions()).setClientAuth(ssl.getClientAuth());
        }
        return options;
    }

    /** The server's SSL options for {@code tls} (what a rotation hands to the running servers). */
    public static ServerSSLOptions sslOptions(TlsSettings tls) {
        ServerSSLOptions ssl = new ServerSSLOptions().setUseAlpn(true).setEnabledSecureTransportProtocols(PROTOCOLS)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().toString())
                        .setKeyPath(tls.key().toString()));
        if (tls.clientCa() != null) {
            ssl.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCa().toString()))
                    .setClientAuth(tls.clientCertRequired() ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
        }
        return ssl;
    }

    /**
     * Checks the files; throws IllegalArgumentException naming the file and what is wrong.
     * @return the serving certificate (the first of the chain)
     */
    public static X509Certificate check(TlsSettings tls) {
        List<X509Certificate> chain = certificates(tls.cert());
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (CertificateException e) {
            throw new IllegalArgumentException(tls.cert() + ": the certificate is not valid now (valid "
                    + leaf.getNotBefore() + " to " + leaf.getNotAfter() + ")");
        }
        PrivateKey key = privateKey(tls.key(), leaf.getPublicKey().getAlgorithm());
        if (!belongTogether(leaf, key)) {
            throw new IllegalArgumentException(tls.key() + " is not the private key of the certificate in " + tls.cert());
        }
        if (tls.clientCa() != null) {
            certificates(tls.clientCa());
        }
        return leaf;
    }

    private static List<X509Certificate> certificates(Path file) {
        return com.modelfactory.runtime.fetch.StoreTls.certificates(file);
    }

    private static PrivateKey privateKey(Path file, String algorithm) {
        return com.modelfactory.runtime.fetch.StoreTls.privateKey(file, algorithm);
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    private static boolean belongTogether(X509Certificate cert, PrivateKey key) {
        if (key == null) {
            return true;
        }
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
        try {
            byte[] probe = "model-runtime tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
