package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Which keys S3 can take, and how they come back in listings. */
class ObjectKeysTest {
    @Test
    void aKeyWithAControlCharacterOtherThanTabNewlineAndCrIsNotCarriedByXml() {
        assertThat(ObjectKeys.carriedByXml("plain/日本語 +&<>\"'.txt")).isTrue();
        assertThat(ObjectKeys.carriedByXml("tab\tnew\nline\rcr\u007Fdel")).as("XML 1.0 allows these").isTrue();
        assertThat(ObjectKeys.carriedByXml("ctl\u0001.txt")).isFalse();
        assertThat(ObjectKeys.carriedByXml("esc\u001B[31m.txt")).isFalse();
        assertThat(ObjectKeys.carriedByXml("nul\u0000")).isFalse();
    }

    @Test
    void aKeyIsEncodableOnlyWithoutTheReplacementCharacter() {
        assertThat(ObjectKeys.encodable("caf\u00E9.txt")).isTrue();
        assertThat(ObjectKeys.encodable("caf\uFFFDE9.txt")).isFalse();
        assertThat(ObjectKeys.encodable("half \uD800 a pair")).isFalse();
    }

    @Test
    void everyListingAsksForUrlEncodedKeysUnlessItChoseAnEncoding() {
        UrlEncodedListings interceptor = new UrlEncodedListings();

        assertThat(((ListObjectsV2Request) interceptor.modifyRequest(context(ListObjectsV2Request.builder()
                .bucket("b").prefix("p/").build()), new ExecutionAttributes())).encodingType()).isEqualTo(EncodingType.URL);
        assertThat(((ListMultipartUploadsRequest) interceptor.modifyRequest(context(ListMultipartUploadsRequest.builder()
                .bucket("b").build()), new ExecutionAttributes())).encodingType()).isEqualTo(EncodingType.URL);
        PutObjectRequest put = PutObjectRequest.builder().bucket("b").key("k").build();
        assertThat(interceptor.modifyRequest(context(put), new ExecutionAttributes())).isSameAs(put);
    }

    private static Context.ModifyRequest context(software.amazon.awssdk.core.SdkRequest request) {
        return () -> request;
    }
}
