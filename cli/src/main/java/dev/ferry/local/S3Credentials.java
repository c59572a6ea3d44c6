package dev.ferry.local;

import dev.ferry.api.Ferry;
import java.util.LinkedHashMap;
import java.util.Map;

/** An access key pair, as the local mode hands it to the credentials Secret of a job. */
public record S3Credentials(String accessKey, String secretKey) {

    public S3Credentials {
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("S3 credentials need both an access key and a secret key");
        }
    }

    /** The Secret data keys every S3 tool understands. */
    public Map<String, String> asSecretData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(Ferry.SECRET_ACCESS_KEY_ID, accessKey);
        data.put(Ferry.SECRET_SECRET_ACCESS_KEY, secretKey);
        return data;
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKey=" + accessKey + ", secretKey=***]";
    }
}
