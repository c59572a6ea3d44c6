package dev.ferry.e2e;

import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import dev.ferry.worker.s3.Listings;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A bucket's content read back through S3: relative key → "size:sha256", Ferry's state prefix left out. */
final class ObjectListing {

    private ObjectListing() {
    }

    static S3Client client(LocalS3 s3, S3Credentials credentials) {
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(credentials.accessKey(), credentials.secretKey())))
                .build();
    }

    static Map<String, String> of(LocalS3 s3, S3Credentials credentials, String bucket, String prefix)
            throws IOException {
        try (S3Client client = client(s3, credentials)) {
            Map<String, String> objects = new TreeMap<>();
            String token = null;
            do { // Ferry's own listing, so that a key XML cannot carry (U+0001) is read too
                String continuation = token;
                ListObjectsV2Response page = Listings.objects(client, b -> b.bucket(bucket).prefix(prefix)
                        .continuationToken(continuation));
                for (S3Object object : page.contents()) {
                    if (object.key().startsWith(".ferry/") || object.key().contains("/.ferry/")) {
                        continue; // Ferry's own state prefix
                    }
                    if (object.key().endsWith("/")) {
                        continue; // jclouds' filesystem store lists its directories as "dir/" entries; no file key ends in "/"
                    }
                    try (InputStream in = client.getObject(b -> b.bucket(bucket).key(object.key()))) {
                        objects.put(object.key().substring(prefix.length()), object.size() + ":" + SourceTree.sha256(in));
                    }
                }
                token = page.nextContinuationToken();
            } while (token != null);
            return objects;
        }
    }
}
