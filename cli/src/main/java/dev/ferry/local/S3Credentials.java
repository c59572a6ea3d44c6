package dev.ferry.local;

import dev.ferry.api.Ferry;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * An access key pair, with the session token of temporary credentials (STS, SSO, {@code aws-vault}) or null, as
 * the local mode hands it to the credentials Secret of a job.
 */
public record S3Credentials(String accessKey, String secretKey, String sessionToken) {

    public S3Credentials {
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("S3 credentials need both an access key and a secret key");
        }
        if (sessionToken != null && sessionToken.isBlank()) {
            sessionToken = null;
        }
    }

    /** Long-term keys: no session token. */
    public S3Credentials(String accessKey, String secretKey) {
        this(accessKey, secretKey, null);
    }

    /** The Secret data keys every S3 tool understands. */
    public Map<String, String> asSecretData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(Ferry.SECRET_ACCESS_KEY_ID, accessKey);
        data.put(Ferry.SECRET_SECRET_ACCESS_KEY, secretKey);
        if (sessionToken != null) {
            data.put(Ferry.SECRET_SESSION_TOKEN, sessionToken);
        }
        return data;
    }

    /** For an S3 client of the SDK: session credentials when there is a token. */
    public AwsCredentials asAwsCredentials() {
        return sessionToken == null ? AwsBasicCredentials.create(accessKey, secretKey)
                : AwsSessionCredentials.create(accessKey, secretKey, sessionToken);
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKey=" + accessKey + ", secretKey=***" + (sessionToken == null ? "" : ", sessionToken=***")
                + "]";
    }
}
