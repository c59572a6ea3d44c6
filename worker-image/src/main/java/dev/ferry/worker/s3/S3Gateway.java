package dev.ferry.worker.s3;

import dev.ferry.worker.metrics.S3Metrics;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * One gateway of the store as the copy engine uses it: the SDK client for every request, and for the
 * single PUTs that are most of a migration, and the parts of large files, a {@link SignedPut} where the
 * endpoint allows it (null: the client sends those too); so for the HEADs ({@link SignedHead}) and the listings
 * ({@link SignedList}).
 */
public final class S3Gateway implements AutoCloseable {
    private final S3Client client;
    private final SignedPut signedPut;
    private final SignedHead signedHead;
    private final SignedList signedList;
    private final SdkHttpClient ownHttpClient;
    /** Times the signed PUTs, parts, HEADs and listings, which the client's interceptors do not see; null: not timed. */
    private final S3Metrics.RequestTimers signedTimers;

    /** A gateway that sends everything through {@code client}. */
    public S3Gateway(S3Client client) {
        this(client, null, null, null);
    }

    /**
     * @param signed        the path-style requests this gateway signs itself (null: the client sends every request)
     * @param ownHttpClient the HTTP client given to {@code client} and {@code signed}: a client built
     *                      with {@code httpClient(...)} leaves closing it to its owner
     */
    S3Gateway(S3Client client, SignedExchange signed, SdkHttpClient ownHttpClient, S3Metrics.RequestTimers signedTimers) {
        this.client = client;
        this.signedPut = signed == null ? null : new SignedPut(signed);
        this.signedHead = signed == null ? null : new SignedHead(signed);
        this.signedList = signed == null ? null : new SignedList(signed);
        this.ownHttpClient = ownHttpClient;
        this.signedTimers = signedTimers;
    }

    /** True when the single PUTs, parts, HEADs and listings bypass the client's pipeline ({@link SignedExchange}). */
    public boolean signsItsOwnRequests() {
        return signedPut != null;
    }

    public S3Client client() {
        return client;
    }

    /** Stores {@code data} at {@code key} in one PUT with its Content-MD5 and returns the answered ETag. */
    public String putObject(String bucket, String key, byte[] data, String md5Base64, Map<String, String> metadata,
                            String storageClass) {
        if (signedPut != null) {
            return signedPut(bucket, key, data, md5Base64, metadata, storageClass);
        }
        return client.putObject(b -> b.bucket(bucket).key(key)
                        .contentLength((long) data.length)
                        .contentMD5(md5Base64)
                        .metadata(metadata)
                        .storageClass(storageClass),
                RequestBody.fromBytes(data)).eTag();
    }

    /**
     * Stores {@code data} as part {@code partNumber} of {@code uploadId} with its Content-MD5 and returns
     * the part's ETag; {@code sent} is told the bytes the HTTP client takes of the body as it takes them.
     */
    public String uploadPart(String bucket, String key, String uploadId, int partNumber, byte[] data, String md5Base64,
                             LongConsumer sent) {
        if (signedPut == null) {
            return client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                            .contentLength((long) data.length).contentMD5(md5Base64),
                    RequestBody.fromContentProvider(SignedPut.counted(data, sent), data.length, "application/octet-stream"))
                    .eTag();
        }
        return timed("UploadPart", () -> signedPut.putPart(bucket, key, uploadId, partNumber, data, md5Base64, sent));
    }

    /** The object at {@code key} as a HEAD sees it; a missing one is the client's {@code NoSuchKeyException}. */
    public HeadObjectResponse headObject(String bucket, String key) {
        if (signedHead == null) {
            return client.headObject(b -> b.bucket(bucket).key(key));
        }
        return timed("HeadObject", () -> signedHead.head(bucket, key));
    }

    /** One page of a listing of the bucket. */
    public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
        if (signedList == null) {
            return client.listObjectsV2(request);
        }
        return timed("ListObjectsV2", () -> signedList.list(request));
    }

    private String signedPut(String bucket, String key, byte[] data, String md5Base64, Map<String, String> metadata,
                             String storageClass) {
        return timed("PutObject", () -> signedPut.put(bucket, key, data, md5Base64, metadata, storageClass));
    }

    /** A request of the signed path, timed as the client's interceptor times the client's own. */
    private <T> T timed(String operation, Supplier<T> request) {
        if (signedTimers == null) {
            return request.get();
        }
        long started = System.nanoTime();
        try {
            T answer = request.get();
            signedTimers.record(operation, System.nanoTime() - started, null);
            return answer;
        } catch (RuntimeException e) {
            signedTimers.record(operation, System.nanoTime() - started, e);
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
        if (ownHttpClient != null) {
            ownHttpClient.close();
        }
    }
}
