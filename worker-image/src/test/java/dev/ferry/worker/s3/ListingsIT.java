package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.DestinationSpec;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.S3ProxyServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A folder holding a key that XML cannot carry is listed whole, page after page, against a real S3Proxy: through
 * the SDK client, and through a gateway that signs its listings itself ({@link SignedList}).
 */
class ListingsIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("listings");
    private static final AwsCredentials CREDENTIALS =
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPageWithAControlCharacterIsReadURLEncodedAndTheNextPagesFollowIt(boolean signedByTheGateway) {
        S3Client s3 = S3.server().client();
        String folder = signedByTheGateway ? "signed/" : "dir/";
        List<String> keys = List.of("k\u0001x", "k 1", "k 2", "k 3", "k+4").stream().map(k -> folder + k).toList();
        for (String key : keys) {
            s3.putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromString(key));
        }
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket(S3.bucket()).prefix(folder)))
                .as("the plain listing, as the SDK reads it").isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Could not parse XML response");

        List<String> listed = new ArrayList<>();
        try (S3Gateway gateway = S3ClientFactory.gateway(destination(), CREDENTIALS, 2, S3.server().endpoint(), false)) {
            assertThat(gateway.signsItsOwnRequests()).as("the gateway signs its listings itself").isTrue();
            String token = null;
            do {
                String continuation = token;
                Consumer<ListObjectsV2Request.Builder> request = b -> {
                    b.bucket(S3.bucket()).prefix(folder).maxKeys(2);
                    if (continuation != null) {
                        b.continuationToken(continuation);
                    }
                };
                ListObjectsV2Response page = signedByTheGateway ? Listings.objects(gateway, request)
                        : Listings.objects(s3, request);
                page.contents().stream().map(S3Object::key).forEach(listed::add);
                token = page.nextContinuationToken();
            } while (token != null);
        }

        assertThat(listed).as("every key once, in the store's order, the first page's token taken as its last key")
                .containsExactlyElementsOf(keys);
    }

    private static DestinationSpec destination() {
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = S3.bucket();
        destination.endpoints = List.of(S3.server().endpoint().toString());
        return destination;
    }
}
