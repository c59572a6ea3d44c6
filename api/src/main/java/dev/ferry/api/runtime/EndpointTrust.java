package dev.ferry.api.runtime;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CAs a store's TLS certificates may be signed by: the JVM's default ones and those of
 * {@code spec.destination.endpointCA} (an on-premises gateway behind an internal CA). Shared by the
 * operator, which refuses a spec whose bundle holds no certificate, and by the worker and the CLI, which
 * trust it.
 */
public final class EndpointTrust {
    /**
     * The most PEM text a bundle may hold: it reaches a worker as an environment variable, and Linux refuses
     * to start a process with one of more than 128 KiB. A few internal CAs take a few KiB; the public CAs are
     * trusted anyway.
     */
    public static final int MAX_BYTES = 64 * 1024;

    private EndpointTrust() {
    }

    /** The X.509 certificates in {@code pem}; an IllegalArgumentException saying what is wrong with it. */
    public static List<X509Certificate> certificates(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("it is empty");
        }
        byte[] bytes = pem.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("it holds " + bytes.length + " bytes, more than " + MAX_BYTES
                    + ": give only the CAs of the store; the JVM's default CAs are trusted as well");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("it is not PEM certificates (-----BEGIN CERTIFICATE-----): "
                    + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("it holds no certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /** Trust managers that trust the JVM's default CAs and {@code extra}. */
    public static TrustManager[] trustManagers(List<X509Certificate> extra) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate issuer : defaultTrustManager().getAcceptedIssuers()) {
                store.setCertificateEntry("default-" + n++, issuer);
            }
            for (X509Certificate certificate : extra) {
                store.setCertificateEntry("endpoint-ca-" + n++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JVM has no default X.509 trust manager");
    }
}
