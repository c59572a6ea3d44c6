package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ferry.api.DestinationSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** The pool when no gateway answers at all (loopback ports nobody listens on). */
class EndpointPoolTest {

    @Test
    void failsTheRequestAsAStoreFailureWhenEveryGatewayIsDown() throws Exception {
        URI first = refusingPort();
        URI second = refusingPort();
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = "b";
        destination.endpoints = List.of(first.toString(), second.toString());
        EndpointPool.Settings settings =
                new EndpointPool.Settings(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(10));

        try (EndpointPool pool = S3ClientFactory.pool(destination, AwsBasicCredentials.create("a", "b"), 2,
                settings)) {
            Throwable failure = catchThrowable(() -> pool.call(s3 -> s3.headBucket(h -> h.bucket("b"))));

            assertThat(S3Errors.classify(failure)).isEqualTo(S3Errors.ErrorClass.CONNECTION_FAILED);
            assertThat(S3Errors.classify(failure).retryable()).isTrue();
            assertThat(failure).as("a problem of the whole store, not of the request")
                    .isInstanceOf(StoreUnreachableException.class);
            assertThat(pool.healthy(first)).isFalse();
            assertThat(pool.healthy(second)).isFalse();
            assertThat(pool.served(first) + pool.served(second)).isZero();
        }
    }

    @Test
    void aSingleEndpointIsAPassThroughWithoutCircuit() throws Exception {
        URI only = refusingPort();
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = "b";
        destination.endpoints = List.of(only.toString());

        try (EndpointPool pool = S3ClientFactory.pool(destination, AwsBasicCredentials.create("a", "b"), 2,
                EndpointPool.Settings.DEFAULT)) {
            Throwable failure = catchThrowable(() -> pool.call(s3 -> s3.headBucket(h -> h.bucket("b"))));

            assertThat(S3Errors.classify(failure)).isEqualTo(S3Errors.ErrorClass.CONNECTION_FAILED);
            assertThat(failure).isInstanceOf(StoreUnreachableException.class);
            assertThat(pool.healthy(only)).as("one endpoint has nowhere else to go").isTrue();
        }
    }

    private static URI refusingPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
