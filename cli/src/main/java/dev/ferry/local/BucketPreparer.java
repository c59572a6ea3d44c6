package dev.ferry.local;

import java.net.URI;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Creates the destination bucket when it is missing, so that `ferry migrate` needs nothing prepared. */
public final class BucketPreparer {

    private BucketPreparer() {
    }

    /** Returns true when the bucket was created, false when it already existed. */
    public static boolean ensureBucket(URI endpoint, S3Credentials credentials, String region, boolean pathStyle,
            String bucket) {
        return ensureBucket(endpoint, credentials, region, pathStyle, bucket, null);
    }

    /** As above, over TLS trusting {@code trust} (null: the JVM's default CAs). */
    public static boolean ensureBucket(URI endpoint, S3Credentials credentials, String region, boolean pathStyle,
            String bucket, TrustManager[] trust) {
        return ensureBucket(endpoint, StaticCredentialsProvider.create(credentials.asAwsCredentials()), region,
                pathStyle, bucket, trust);
    }

    /** As above, signing with what {@code credentials} provides (the SDK's default chain: the caller's own identity). */
    public static boolean ensureBucket(URI endpoint, AwsCredentialsProvider credentials, String region,
            boolean pathStyle, String bucket, TrustManager[] trust) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder();
        if (trust != null) {
            http.tlsTrustManagersProvider(() -> trust);
        }
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http)
                .credentialsProvider(credentials)
                .build()) {
            try {
                s3.headBucket(b -> b.bucket(bucket));
                return false;
            } catch (NoSuchBucketException e) {
                s3.createBucket(b -> b.bucket(bucket));
                return true;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    s3.createBucket(b -> b.bucket(bucket));
                    return true;
                }
                throw e;
            }
        }
    }
}
