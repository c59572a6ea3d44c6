package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.testing.S3ProxyPerClass;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A folder holding a key that XML cannot carry is listed whole, page after page, against a real S3Proxy. */
class ListingsIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("listings");

    @Test
    void aPageWithAControlCharacterIsReadURLEncodedAndTheNextPagesFollowIt() {
        S3Client s3 = S3.server().client();
        List<String> keys = List.of("dir/k\u0001x", "dir/k 1", "dir/k 2", "dir/k 3", "dir/k+4");
        for (String key : keys) {
            s3.putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromString(key));
        }
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket(S3.bucket()).prefix("dir/")))
                .as("the plain listing, as the SDK reads it").isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Could not parse XML response");

        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = Listings.objects(s3, b -> {
                b.bucket(S3.bucket()).prefix("dir/").maxKeys(2);
                if (continuation != null) {
                    b.continuationToken(continuation);
                }
            });
            page.contents().stream().map(S3Object::key).forEach(listed::add);
            token = page.nextContinuationToken();
        } while (token != null);

        assertThat(listed).as("every key once, in the store's order, the first page's token taken as its last key")
                .containsExactly("dir/k\u0001x", "dir/k 1", "dir/k 2", "dir/k 3", "dir/k+4");
    }
}
