package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** A bundle of PEM certificates is trusted besides the JVM's CAs; anything else is refused, saying why. */
class EndpointTrustTest {
    private static final X509Certificate[] DEFAULT_CAS = defaultTrustManager().getAcceptedIssuers();

    @Test
    void readsEveryCertificateOfABundle() throws Exception {
        String bundle = "# the store's CAs\n" + pem(DEFAULT_CAS[0]) + "\n" + pem(DEFAULT_CAS[1]);

        assertThat(EndpointTrust.certificates(bundle)).containsExactly(DEFAULT_CAS[0], DEFAULT_CAS[1]);
    }

    @Test
    void refusesWhatHoldsNoCertificateOrIsTooBigForAnEnvironmentVariable() {
        assertThatThrownBy(() -> EndpointTrust.certificates("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> EndpointTrust.certificates("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN CERTIFICATE");
        assertThatThrownBy(() -> EndpointTrust.certificates("not a certificate at all"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN CERTIFICATE");
        String everyDefaultCa = String.join("\n", Arrays.stream(DEFAULT_CAS).map(EndpointTrustTest::pem).toList());
        assertThat(everyDefaultCa.length()).as("the JVM's whole bundle").isGreaterThan(EndpointTrust.MAX_BYTES);
        assertThatThrownBy(() -> EndpointTrust.certificates(everyDefaultCa))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("give only the CAs of the store");
    }

    @Test
    void trustsTheBundleAndTheJvmsDefaultCas() throws Exception {
        X509Certificate internal = EndpointTrust.certificates(pem(DEFAULT_CAS[0])).get(0);

        TrustManager[] managers = EndpointTrust.trustManagers(List.of(internal));

        X509TrustManager manager = (X509TrustManager) managers[0];
        assertThat(manager.getAcceptedIssuers()).contains(internal).hasSameSizeAs(DEFAULT_CAS);
    }

    private static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509TrustManager defaultTrustManager() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
