package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.FailureCode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.worker.copy.ByteBudget;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.FileCopier;
import dev.ferry.worker.copy.FileOutcome;
import dev.ferry.worker.s3.S3Errors.ErrorClass;
import dev.ferry.worker.source.SourceStat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The error table: docs/errors.md and the code agree, and every row is recognised from an example. */
class S3ErrorsTest {
    static final Path DOC = Path.of("..", "docs", "errors.md");

    @TempDir
    static Path source;
    static CopyEngine engine;

    @BeforeAll
    static void engineThatNeverReachesTheStore() {
        // the rows decided before any request: the copier must answer them without calling S3
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = "unused";
        destination.prefix = "p";
        URI nowhere = URI.create("http://127.0.0.1:9");
        S3Client client = client(nowhere, Duration.ofSeconds(1));
        engine = new CopyEngine(EndpointPool.of(nowhere, client), destination, OverwritePolicy.Always, VerifyMode.Checksum,
                new WorkersSpec(), new ByteBudget(1 << 20));
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @Test
    void theDocumentListsExactlyTheRowsOfTheCode() throws IOException {
        Set<String> documented = Files.readAllLines(DOC).stream()
                .dropWhile(line -> !line.startsWith("| Row |")) // the classification table
                .skip(2) // its header and separator
                .takeWhile(line -> line.startsWith("| `"))
                .map(S3ErrorsTest::normalizedRow)
                .collect(Collectors.toSet());
        Set<String> coded = java.util.Arrays.stream(ErrorClass.values())
                .map(row -> String.join("|", row.name(), row.code().name(),
                        row.scope().name().toLowerCase(java.util.Locale.ROOT), row.opensCircuit() ? "yes" : "no"))
                .collect(Collectors.toSet());

        assertThat(documented).containsExactlyInAnyOrderElementsOf(coded);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ErrorClass.class)
    void recognisesEveryRowFromAnExampleOfItsError(ErrorClass row) throws Exception {
        switch (row) {
            case NO_SUCH_BUCKET -> assertClassified(s3(404, "NoSuchBucket"), row);
            case ACCESS_DENIED -> assertClassified(s3(403, "AccessDenied"), row);
            case INVALID_ACCESS_KEY -> {
                assertClassified(s3(403, "InvalidAccessKeyId"), row);
                assertClassified(s3(401, null), row);
            }
            case SIGNATURE_MISMATCH -> assertClassified(s3(403, "SignatureDoesNotMatch"), row);
            case NO_CREDENTIALS -> {
                // the client's own failure: a chain of providers (as the default one is) none of which has any
                AwsCredentialsProviderChain none = AwsCredentialsProviderChain.of(ContainerCredentialsProvider.builder()
                        .endpoint(refusingPort() + "/credentials").build());
                try (S3Client client = S3Client.builder().endpointOverride(refusingPort()).region(Region.US_EAST_1)
                        .credentialsProvider(none).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                        .httpClientBuilder(ApacheHttpClient.builder()).build()) {
                    SdkException failure = catchThrowableOfType(SdkException.class,
                            () -> client.headBucket(b -> b.bucket("any")));
                    assertClassified(failure, row);
                    assertThat(row.storeWide()).as("the task waits: no file is failed for it").isTrue();
                }
            }
            case THROTTLED_503 -> {
                assertClassified(s3(503, "SlowDown"), row);
                assertClassified(s3(503, null), row);
            }
            case THROTTLED_429 -> assertClassified(s3(429, "TooManyRequests"), row);
            case SERVER_ERROR -> {
                assertClassified(s3(500, "InternalError"), row);
                assertClassified(s3(502, null), row);
                assertClassified(s3(504, "GatewayTimeout"), row);
                assertClassified(s3(503, "ServiceUnavailable"), row);
            }
            case QUOTA_EXCEEDED -> {
                assertClassified(s3(403, "QuotaExceeded"), row);
                assertClassified(s3(400, "XMinioAdminBucketQuotaExceeded"), row);
                assertClassified(s3(507, "XMinioStorageFull"), row);
                assertClassified(s3(507, null), row);
            }
            case ENTITY_TOO_LARGE -> assertClassified(s3(400, "EntityTooLarge"), row);
            case UPLOAD_LOST -> {
                assertClassified(s3(404, "NoSuchUpload"), row);
                assertClassified(s3(400, "InvalidPart"), row);
            }
            case REQUEST_TIMEOUT -> {
                assertClassified(s3(400, "RequestTimeout"), row);
                assertClassified(s3(408, null), row);
            }
            case BAD_DIGEST -> assertClassified(s3(400, "BadDigest"), row);
            case REJECTED -> {
                assertClassified(s3(400, "InvalidArgument"), row);
                assertClassified(s3(400, "KeyTooLongError"), row);
                // a feature the store lacks (S3Proxy and a CRC32 checksum header): every gateway says so
                assertClassified(s3(501, "NotImplemented"), row);
            }
            // decided by comparing the stored object with the file, not from an exception: VerifyIT
            // makes the store hold another object than the file and asserts this code
            case VERIFY_MISMATCH -> assertThat(row.code()).isEqualTo(FailureCode.VERIFY_MISMATCH);
            // decided from the phases of a file's Parts tasks, not from an exception: PartsRunnerIT
            // makes a sibling Parts task fail and asserts this code
            case PARTS_INCOMPLETE -> assertThat(row.code()).isEqualTo(FailureCode.PARTS_INCOMPLETE);
            // decided after a verified copy in Move mode, not from an exception: MoveAndSyncIT makes the
            // file change after its copy, and the source undeletable, and asserts this code
            case SOURCE_NOT_DELETED -> assertThat(row.code()).isEqualTo(FailureCode.SOURCE_NOT_DELETED);
            case CONNECTION_FAILED -> {
                assertClassified(realFailure(refusingPort()), row);
                assertClassified(network(new SocketException("Connection reset")), row);
                assertClassified(network(new ConnectException("Connection refused")), row);
            }
            case NETWORK_TIMEOUT -> {
                try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                    assertClassified(realFailure(URI.create("http://127.0.0.1:" + silent.getLocalPort())), row);
                }
                assertClassified(network(new SocketTimeoutException("Read timed out")), row);
                assertClassified(ApiCallAttemptTimeoutException.create(1000), row);
            }
            case DNS_FAILURE -> assertClassified(network(new UnknownHostException("gateway.example.invalid")), row);
            case CLIENT_ERROR -> assertClassified(SdkClientException.create("Unable to unmarshall response"), row);
            case SOURCE_ACCESS_DENIED -> assertThat(S3Errors.classify(new AccessDeniedException("/src/a")))
                    .isEqualTo(row);
            case SOURCE_VANISHED -> {
                assertThat(S3Errors.classify(new NoSuchFileException("/src/a"))).isEqualTo(row);
                assertCopierFails("gone.txt", source.resolve("gone.txt"), row);
            }
            case SOURCE_READ_ERROR -> assertThat(S3Errors.classify(new IOException("Input/output error")))
                    .isEqualTo(row);
            case SOURCE_CHANGED -> {
                Path file = Files.writeString(source.resolve("changing.txt"), "one");
                SourceStat before = SourceStat.of(file);
                Files.writeString(file, "one two");
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
                assertThat(SourceStat.of(file).sameVersionAs(before)).isFalse();
                assertThat(row.code()).isEqualTo(FailureCode.SOURCE_CHANGED);
            }
            case NOT_A_REGULAR_FILE -> {
                Files.createDirectories(source.resolve("now-a-directory"));
                assertCopierFails("now-a-directory", source.resolve("now-a-directory"), row);
            }
            case NAME_NOT_ENCODABLE -> assertCopierFails("bad-\uFFFD-name.txt", source.resolve("x"), row);
            case KEY_TOO_LONG -> assertCopierFails("d/".repeat(600) + "f.txt", source.resolve("x"), row);
        }
    }

    @Test
    void onlyFailuresOfTheGatewayItselfOpenItsCircuit() {
        assertThat(java.util.Arrays.stream(ErrorClass.values()).filter(ErrorClass::opensCircuit).toList())
                .containsExactlyInAnyOrder(ErrorClass.THROTTLED_503, ErrorClass.THROTTLED_429,
                        ErrorClass.SERVER_ERROR, ErrorClass.REQUEST_TIMEOUT, ErrorClass.CONNECTION_FAILED,
                        ErrorClass.NETWORK_TIMEOUT, ErrorClass.DNS_FAILURE);
        assertThat(List.of(ErrorClass.ACCESS_DENIED, ErrorClass.NO_SUCH_BUCKET, ErrorClass.REJECTED))
                .noneMatch(ErrorClass::opensCircuit);
    }

    @Test
    void onlyTheRowsAboutTheWholeDestinationMakeATaskWaitForTheStore() {
        assertThat(java.util.Arrays.stream(ErrorClass.values()).filter(ErrorClass::storeWide).toList())
                .containsExactlyInAnyOrder(ErrorClass.NO_SUCH_BUCKET, ErrorClass.ACCESS_DENIED,
                        ErrorClass.INVALID_ACCESS_KEY, ErrorClass.SIGNATURE_MISMATCH, ErrorClass.NO_CREDENTIALS,
                        ErrorClass.QUOTA_EXCEEDED);
        assertThat(S3Errors.storeProblem("copying", s3(403, "QuotaExceeded")).code())
                .isEqualTo(FailureCode.S3_QUOTA_EXCEEDED);
        assertThat(S3Errors.storeProblem("copying", s3(500, "InternalError"))).as("one key's failure").isNull();
        assertThat(S3Errors.storeProblem("copying", new StoreUnreachableException(2,
                network(new ConnectException("Connection refused")))).code()).isEqualTo(FailureCode.S3_UNREACHABLE);
        assertThat(S3Errors.storeProblem("copying", new RuntimeException("planning failed", s3(404, "NoSuchBucket")))
                .code()).as("found in the cause chain").isEqualTo(FailureCode.S3_NO_SUCH_BUCKET);
    }

    @Test
    void anUnreachableStoreSaysSoForOneEndpointAndForSeveral() {
        SdkException refused = network(new ConnectException("Connection refused"));
        assertThat(new StoreUnreachableException(1, refused).getMessage())
                .startsWith("the store's endpoint cannot be reached: ");
        assertThat(new StoreUnreachableException(3, refused).getMessage())
                .startsWith("none of the 3 endpoints of the store can be reached: ");
    }

    @Test
    void aRequestTriedUntilItsTriesWereUsedUpKeepsTheRowOfItsLastFailure() {
        RetriesExhausted exhausted = new RetriesExhausted(s3(500, "InternalError"), 4);

        assertThat(S3Errors.classify(exhausted)).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(S3Errors.describe(exhausted)).isEqualTo("S3_SERVER_ERROR: S3 500 InternalError: example");
        assertThat(exhausted.tries()).isEqualTo(4);
    }

    @Test
    void onlyAFailureToConnectSaysTheGatewayIsNotThere() {
        assertThat(S3Errors.noConnection(network(new ConnectException("Connection refused")))).isTrue();
        assertThat(S3Errors.noConnection(network(new UnknownHostException("gateway.invalid")))).isTrue();
        assertThat(S3Errors.noConnection(network(new SocketException("Connection reset")))).isFalse();
        assertThat(S3Errors.noConnection(network(new SocketTimeoutException("Read timed out")))).isFalse();
        assertThat(S3Errors.noConnection(s3(503, "SlowDown"))).isFalse();
    }

    private static void assertClassified(SdkException e, ErrorClass row) {
        assertThat(S3Errors.classify(e)).as(e.toString()).isEqualTo(row);
        assertThat(S3Errors.describe(e)).startsWith(row.code() + ": ");
    }

    private static void assertCopierFails(String relativePath, Path file, ErrorClass row) throws Exception {
        FileOutcome outcome = new FileCopier(engine).copy(relativePath, file);
        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.FAILED);
        assertThat(outcome.code()).isEqualTo(row.code());
    }

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("example").build())
                .message("example").build();
    }

    private static SdkClientException network(Exception cause) {
        return SdkClientException.builder().message("Unable to execute HTTP request: " + cause.getMessage())
                .cause(cause).build();
    }

    /** What a real client throws against {@code endpoint}: a port nobody listens on, or one that never answers. */
    private static SdkException realFailure(URI endpoint) {
        try (S3Client client = client(endpoint, Duration.ofMillis(300))) {
            client.headBucket(b -> b.bucket("any"));
            throw new AssertionError("the request to " + endpoint + " succeeded");
        } catch (SdkException e) {
            return e;
        }
    }

    private static URI refusingPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    private static S3Client client(URI endpoint, Duration socketTimeout) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(socketTimeout)
                        .connectionTimeout(socketTimeout))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** "| `ROW` | error | `CODE` | store | no |" → "ROW|CODE|store|no". */
    private static String normalizedRow(String line) {
        String[] cells = line.split("\\|");
        return String.join("|", strip(cells[1]), strip(cells[3]), strip(cells[4]), strip(cells[5]));
    }

    private static String strip(String cell) {
        return cell.replace("`", "").strip();
    }
}
