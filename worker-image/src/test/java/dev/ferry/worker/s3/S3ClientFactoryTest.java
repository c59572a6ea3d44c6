package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** A worker takes the store's credentials from the env its Deployment fills from the job's Secret. */
class S3ClientFactoryTest {
    @Test
    void readsTheKeyPairFromTheEnvironment() {
        var credentials = S3ClientFactory.fromEnvironment(Map.of(
                "AWS_ACCESS_KEY_ID", "ak ", "AWS_SECRET_ACCESS_KEY", " sk"));

        assertThat(credentials.accessKeyId()).isEqualTo("ak");
        assertThat(credentials.secretAccessKey()).isEqualTo("sk");
    }

    @Test
    void addsTheSessionTokenWhenThereIsOne() {
        var credentials = S3ClientFactory.fromEnvironment(Map.of(
                "AWS_ACCESS_KEY_ID", "ak", "AWS_SECRET_ACCESS_KEY", "sk", "AWS_SESSION_TOKEN", "tok"));

        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo("tok");
    }

    @Test
    void withoutBothKeysTheSecretIsReadInstead() {
        assertThat(S3ClientFactory.fromEnvironment(Map.of())).isNull();
        assertThat(S3ClientFactory.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "ak"))).isNull();
        assertThat(S3ClientFactory.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "ak", "AWS_SECRET_ACCESS_KEY", " ")))
                .isNull();
    }
}
