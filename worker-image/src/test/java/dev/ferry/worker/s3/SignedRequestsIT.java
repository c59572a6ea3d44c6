package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.ferry.api.DestinationSpec;
import dev.ferry.worker.s3.S3Errors.ErrorClass;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.S3ProxyServer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The single PUTs, parts and HEADs a worker signs and sends itself (outside the SDK pipeline) against a real
 * S3Proxy: the object, its key and metadata are what the SDK client stores for the same request, a HEAD answers
 * what the client's answers, and every failure is the exception the client would throw, so error handling and
 * failover cannot tell them apart.
 */
class SignedRequestsIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("signed");

    private static final AwsCredentials CREDENTIALS =
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);

    @ParameterizedTest
    @ValueSource(strings = {"plain.txt", "with space/and+plus.txt", "percent%20literal/100%.bin",
            "ünïcödé/日本語.txt", "sym~bols/a=b&c;d,e'f(g)h!*$@.txt", "dir/.hidden", "q?mark#hash.txt",
            "deep/er/and/deeper/file"})
    void storesTheObjectTheClientStoresForTheSameRequest(String key) throws Exception {
        String sdkBucket = S3.bucket() + "-sdk";
        S3.server().createBucket(sdkBucket);
        byte[] data = ("contents of " + key).getBytes(StandardCharsets.UTF_8);
        Map<String, String> metadata = Map.of("mtime", "1700000000.5", "mode", "0644", "md5chksum", md5Base64(data));

        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS);
             S3Gateway sdk = new S3Gateway(S3ClientFactory.create(destination(S3.server().endpoint()), CREDENTIALS, 2,
                     S3.server().endpoint(), false))) {
            String signedETag = signed.putObject(S3.bucket(), key, data, md5Base64(data), metadata, null);
            String sdkETag = sdk.putObject(sdkBucket, key, data, md5Base64(data), metadata, null);

            assertThat(signedETag).isEqualTo(sdkETag).isEqualTo("\"" + md5Hex(data) + "\"");
        }
        HeadObjectResponse signedHead = S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(key));
        HeadObjectResponse sdkHead = S3.server().client().headObject(b -> b.bucket(sdkBucket).key(key));
        assertThat(signedHead.metadata()).isEqualTo(sdkHead.metadata()).containsAllEntriesOf(metadata);
        assertThat(signedHead.contentType()).isEqualTo(sdkHead.contentType());
        assertThat(signedHead.contentLength()).isEqualTo(data.length);
        assertThat(S3.server().client().getObject(b -> b.bucket(S3.bucket()).key(key), ResponseTransformer.toBytes())
                .asByteArray()).isEqualTo(data);
        assertThat(S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket())).contents())
                .extracting(o -> o.key()).containsExactly(key);
    }

    @Test
    void anEmptyBodyIsAZeroByteObject() throws Exception {
        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS)) {
            signed.putObject(S3.bucket(), "empty/", new byte[0], md5Base64(new byte[0]), Map.of(), null);
        }
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("empty/")).contentLength())
                .isZero();
    }

    @Test
    void aBodyThatDoesNotMatchItsContentMd5IsRefusedAsTheClientsIs() throws Exception {
        byte[] data = "the real bytes".getBytes(StandardCharsets.UTF_8);
        String wrongMd5 = md5Base64("other bytes".getBytes(StandardCharsets.UTF_8));

        assertFailsAlike(S3.server().endpoint(), CREDENTIALS,
                g -> g.putObject(S3.bucket(), "k", data, wrongMd5, Map.of(), null), ErrorClass.BAD_DIGEST);
        assertThat(S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket())).contents()).isEmpty();
    }

    @Test
    void unknownCredentialsAreRefusedAsTheClientsAre() throws Exception {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        String md5 = md5Base64(data);
        AwsCredentials unknown = AwsBasicCredentials.create("nobody", "nothing");

        assertFailsAlike(S3.server().endpoint(), unknown,
                g -> g.putObject(S3.bucket(), "k", data, md5, Map.of(), null), null);
    }

    @Test
    void aMissingBucketIsNoSuchBucketAsForTheClient() throws Exception {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        String md5 = md5Base64(data);

        assertFailsAlike(S3.server().endpoint(), CREDENTIALS,
                g -> g.putObject("no-such-bucket-here", "k", data, md5, Map.of(), null),
                ErrorClass.NO_SUCH_BUCKET);
    }

    @Test
    void aGatewayThatIsNotThereIsAConnectionFailureThatOpensItsCircuit() throws Exception {
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        String md5 = md5Base64(data);
        try (S3Gateway signed = gateway(nowhere, CREDENTIALS)) {
            SdkClientException failure = catchThrowableOfType(
                    () -> signed.putObject(S3.bucket(), "k", data, md5, Map.of(), null),
                    SdkClientException.class);

            assertThat(S3Errors.classify(failure)).isEqualTo(ErrorClass.CONNECTION_FAILED);
            assertThat(S3Errors.opensCircuit(failure)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"large/file.bin", "ünïcödé/with space+plus&amp.bin"})
    void storesThePartsOfAMultipartUploadAsTheClientDoesAndCountsTheBytesAsTheyAreSent(String key) throws Exception {
        byte[] first = new byte[5 * 1024 * 1024];
        new java.util.Random(7).nextBytes(first);
        byte[] second = "the last, short part".getBytes(StandardCharsets.UTF_8);
        AtomicLong sent = new AtomicLong();
        S3Client s3 = S3.server().client();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(S3.bucket()).key(key)).uploadId();

        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS)) {
            String eTag1 = signed.uploadPart(S3.bucket(), key, uploadId, 1, first, md5Base64(first), sent::addAndGet);
            String eTag2 = signed.uploadPart(S3.bucket(), key, uploadId, 2, second, md5Base64(second), sent::addAndGet);

            assertThat(eTag1).isEqualTo("\"" + md5Hex(first) + "\"");
            assertThat(eTag2).isEqualTo("\"" + md5Hex(second) + "\"");
            assertThat(s3.listParts(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)).parts())
                    .extracting(p -> p.partNumber() + " " + p.size() + " " + p.eTag())
                    .containsExactly("1 " + first.length + " " + eTag1, "2 " + second.length + " " + eTag2);
            s3.completeMultipartUpload(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag1), p -> p.partNumber(2).eTag(eTag2))));
        }
        assertThat(sent.get()).as("every byte, counted once, as the HTTP client took it")
                .isEqualTo(first.length + second.length);
        byte[] stored = s3.getObject(b -> b.bucket(S3.bucket()).key(key), ResponseTransformer.toBytes()).asByteArray();
        assertThat(stored).hasSize(first.length + second.length);
        assertThat(java.util.Arrays.copyOfRange(stored, first.length, stored.length)).isEqualTo(second);
        assertThat(java.util.Arrays.copyOf(stored, first.length)).isEqualTo(first);
    }

    @Test
    void aPartThatDoesNotMatchItsContentMd5OrWhoseBucketIsGoneFailsAsTheClientsDoes() throws Exception {
        byte[] data = "the real bytes".getBytes(StandardCharsets.UTF_8);
        String md5 = md5Base64(data);
        String wrongMd5 = md5Base64("other bytes".getBytes(StandardCharsets.UTF_8));
        String uploadId = S3.server().client().createMultipartUpload(b -> b.bucket(S3.bucket()).key("p")).uploadId();

        assertFailsAlike(S3.server().endpoint(), CREDENTIALS,
                g -> g.uploadPart(S3.bucket(), "p", uploadId, 1, data, wrongMd5, n -> { }), ErrorClass.BAD_DIGEST);
        assertFailsAlike(S3.server().endpoint(), CREDENTIALS,
                g -> g.uploadPart("no-such-bucket-here", "p", uploadId, 1, data, md5, n -> { }),
                ErrorClass.NO_SUCH_BUCKET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain.txt", "with space/and+plus.txt", "percent%20literal/100%.bin",
            "ünïcödé/日本語.txt", "sym~bols/a=b&c;d,e'f(g)h!*$@.txt", "q?mark#hash.txt"})
    void aHeadAnswersWhatTheClientsHeadAnswers(String key) throws Exception {
        byte[] data = ("contents of " + key).getBytes(StandardCharsets.UTF_8);
        Map<String, String> metadata = Map.of("mtime", "1700000000.5", "mode", "100644", "md5chksum", md5Base64(data),
                "ferry-job", "uid-1/2");
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(key).contentType("text/plain").metadata(metadata),
                RequestBody.fromBytes(data));

        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS);
             S3Gateway sdk = new S3Gateway(S3ClientFactory.create(destination(S3.server().endpoint()), CREDENTIALS, 2,
                     S3.server().endpoint(), false))) {
            HeadObjectResponse fromSigned = signed.headObject(S3.bucket(), key);
            HeadObjectResponse fromSdk = sdk.headObject(S3.bucket(), key);

            assertThat(fromSigned.contentLength()).isEqualTo(fromSdk.contentLength()).isEqualTo(data.length);
            assertThat(fromSigned.eTag()).isEqualTo(fromSdk.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");
            assertThat(fromSigned.metadata()).isEqualTo(fromSdk.metadata()).containsEntry("ferry-job", "uid-1/2")
                    .containsEntry("md5chksum", md5Base64(data));
            assertThat(fromSigned.contentType()).isEqualTo(fromSdk.contentType());
            assertThat(fromSigned.lastModified()).isEqualTo(fromSdk.lastModified()).isNotNull();
            assertThat(fromSigned.storageClass()).isEqualTo(fromSdk.storageClass());
            assertThat(fromSigned.serverSideEncryption()).isEqualTo(fromSdk.serverSideEncryption());
        }
    }

    @Test
    void aMissingObjectIsTheClientsNoSuchKey() throws Exception {
        assertFailsAlike(S3.server().endpoint(), CREDENTIALS, g -> g.headObject(S3.bucket(), "not/there"), null);
        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS)) {
            assertThat(catchThrowableOfType(() -> signed.headObject(S3.bucket(), "not/there"), NoSuchKeyException.class)
                    .statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aHeadInAMissingBucketOrWithUnknownCredentialsFailsAsTheClientsDoes() throws Exception {
        assertFailsAlike(S3.server().endpoint(), CREDENTIALS, g -> g.headObject("no-such-bucket-here", "k"), null);
        assertFailsAlike(S3.server().endpoint(), AwsBasicCredentials.create("nobody", "nothing"),
                g -> g.headObject(S3.bucket(), "k"), null);
    }

    @Test
    void aHeadToAGatewayThatIsNotThereIsAConnectionFailureThatOpensItsCircuit() throws Exception {
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        try (S3Gateway signed = gateway(nowhere, CREDENTIALS)) {
            SdkClientException failure = catchThrowableOfType(() -> signed.headObject(S3.bucket(), "k"),
                    SdkClientException.class);

            assertThat(S3Errors.classify(failure)).isEqualTo(ErrorClass.CONNECTION_FAILED);
            assertThat(S3Errors.opensCircuit(failure)).isTrue();
        }
    }

    @Test
    void aListingPageIsThePageTheClientReadsFolderByFolderAndPageByPage() throws Exception {
        String bucket = S3.bucket() + "-list";
        S3.server().createBucket(bucket);
        List<String> keys = List.of("top.txt", "a/1.txt", "a/2 two.txt", "a/ü+x.txt", "a/%41.txt", "a/sub/deep.txt",
                "a/sub/deeper/x", "a/z&amp;<q>.txt", "b/only.txt");
        for (String key : keys) {
            S3.server().client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("body of " + key));
        }
        List<Consumer<ListObjectsV2Request.Builder>> asks =
                List.of(b -> b.bucket(bucket), b -> b.bucket(bucket).prefix("a/").delimiter("/"),
                        b -> b.bucket(bucket).prefix("").delimiter("/"),
                        b -> b.bucket(bucket).prefix("a/").delimiter("/").startAfter("a/2"),
                        b -> b.bucket(bucket).prefix("a/").maxKeys(2),
                        b -> b.bucket(bucket).prefix("nothing/").delimiter("/"));

        try (S3Gateway signed = gateway(S3.server().endpoint(), CREDENTIALS)) {
            for (var ask : asks) {
                String signedToken = null;
                String clientToken = null;
                int pages = 0;
                do {
                    String s = signedToken;
                    String c = clientToken;
                    var fromSigned = Listings.objects(signed, b -> {
                        ask.accept(b);
                        if (s != null) {
                            b.continuationToken(s);
                        }
                    });
                    var fromClient = Listings.objects(S3.server().client(), b -> {
                        ask.accept(b);
                        if (c != null) {
                            b.continuationToken(c);
                        }
                    });
                    assertThat(fromSigned.contents()).extracting(o -> o.key(), o -> o.size(), o -> o.eTag(),
                            o -> o.lastModified()).isEqualTo(fromClient.contents().stream()
                                    .map(o -> tuple(o.key(), o.size(), o.eTag(), o.lastModified())).toList());
                    assertThat(fromSigned.commonPrefixes()).isEqualTo(fromClient.commonPrefixes());
                    assertThat(fromSigned.isTruncated()).isEqualTo(fromClient.isTruncated());
                    assertThat(fromSigned.nextContinuationToken()).isEqualTo(fromClient.nextContinuationToken());
                    signedToken = fromSigned.nextContinuationToken();
                    clientToken = fromClient.nextContinuationToken();
                    pages++;
                } while (signedToken != null && pages < 20);
            }
        }
        assertFailsAlike(S3.server().endpoint(), CREDENTIALS,
                g -> Listings.objects(g, b -> b.bucket("no-such-bucket-here").prefix("a/")), ErrorClass.NO_SUCH_BUCKET);
    }

    /** The signed request and the client's fail with the same status, code and Ferry error class. */
    private static void assertFailsAlike(URI endpoint, AwsCredentials credentials, Function<S3Gateway, ?> put,
                                         ErrorClass expected) throws Exception {
        try (S3Gateway signed = gateway(endpoint, credentials);
             S3Gateway sdk = new S3Gateway(S3ClientFactory.create(destination(endpoint), credentials, 2, endpoint,
                     false))) {
            S3Exception fromSigned = catchThrowableOfType(() -> put.apply(signed), S3Exception.class);
            S3Exception fromSdk = catchThrowableOfType(() -> put.apply(sdk), S3Exception.class);

            assertThat(fromSigned).as("the signed request's failure").isNotNull();
            assertThat(fromSdk).as("the client's failure").isNotNull();
            assertThat(fromSigned.statusCode()).isEqualTo(fromSdk.statusCode());
            assertThat(fromSigned.awsErrorDetails().errorCode()).isEqualTo(fromSdk.awsErrorDetails().errorCode());
            assertThat(S3Errors.classify(fromSigned)).isEqualTo(S3Errors.classify(fromSdk));
            assertThat(S3Errors.describe(fromSigned)).contains(String.valueOf(fromSdk.statusCode()));
            if (expected != null) {
                assertThat(S3Errors.classify(fromSigned)).isEqualTo(expected);
            }
        }
    }

    private static S3Gateway gateway(URI endpoint, AwsCredentials credentials) {
        S3Gateway gateway = S3ClientFactory.gateway(destination(endpoint), credentials, 2, endpoint, false);
        assertThat(gateway.signsItsOwnRequests()).isTrue();
        return gateway;
    }

    private static DestinationSpec destination(URI endpoint) {
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = S3.bucket();
        destination.endpoints = List.of(endpoint.toString());
        return destination;
    }

    private static String md5Base64(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }

    private static String md5Hex(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }
}
