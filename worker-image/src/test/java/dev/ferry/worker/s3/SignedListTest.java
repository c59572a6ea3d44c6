package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** How a listing's page is read from the store's XML, as the SDK client reads it. */
class SignedListTest {

    @Test
    void readsKeysPrefixesAndTheContinuationOfAPage() {
        ListObjectsV2Response page = SignedList.page(bytes("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>bucket</Name><Prefix>dir/</Prefix><KeyCount>3</KeyCount><MaxKeys>2</MaxKeys>
                  <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
                  <NextContinuationToken>dir/b &amp; c.txt</NextContinuationToken>
                  <Contents>
                    <Key>dir/a&lt;1&gt;.txt</Key><LastModified>2023-11-14T22:13:20.000Z</LastModified>
                    <ETag>&quot;0123&quot;</ETag><Size>42</Size>
                    <Owner><ID>75aa</ID><DisplayName>someone</DisplayName></Owner>
                    <StorageClass>STANDARD</StorageClass>
                  </Contents>
                  <Contents><Key>dir/b &amp; c.txt</Key><Size>0</Size><ETag>"d41d"</ETag></Contents>
                  <CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>
                </ListBucketResult>
                """));

        assertThat(page.contents()).extracting(S3Object::key).containsExactly("dir/a<1>.txt", "dir/b & c.txt");
        S3Object first = page.contents().get(0);
        assertThat(first.size()).isEqualTo(42);
        assertThat(first.eTag()).isEqualTo("\"0123\"");
        assertThat(first.lastModified()).isEqualTo(Instant.parse("2023-11-14T22:13:20Z"));
        assertThat(first.storageClassAsString()).isEqualTo("STANDARD");
        assertThat(page.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("dir/sub/");
        assertThat(page.isTruncated()).isTrue();
        assertThat(page.nextContinuationToken()).isEqualTo("dir/b & c.txt");
        assertThat(page.prefix()).isEqualTo("dir/");
        assertThat(page.keyCount()).isEqualTo(3);
    }

    @Test
    void anEmptyFolderIsAPageWithoutKeys() {
        ListObjectsV2Response page = SignedList.page(bytes("<ListBucketResult><Name>b</Name><Prefix>none/</Prefix>"
                + "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>"));

        assertThat(page.contents()).isEmpty();
        assertThat(page.commonPrefixes()).isEmpty();
        assertThat(page.isTruncated()).isFalse();
        assertThat(page.nextContinuationToken()).isNull();
    }

    @Test
    void aUrlEncodedPageIsDecodedAsTheClientDecodesItButNotItsToken() {
        ListObjectsV2Response page = SignedList.page(bytes("<ListBucketResult><EncodingType>url</EncodingType>"
                + "<Prefix>dir%2F</Prefix><Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>"
                + "<NextContinuationToken>dir%2Fk%01x</NextContinuationToken>"
                + "<Contents><Key>dir%2Fk%01x</Key><Size>1</Size></Contents>"
                + "<Contents><Key>dir%2Fk+1</Key><Size>1</Size></Contents>"
                + "<CommonPrefixes><Prefix>dir%2Fs%C3%BC%2F</Prefix></CommonPrefixes></ListBucketResult>"));

        assertThat(page.contents()).extracting(S3Object::key).containsExactly("dir/k\u0001x", "dir/k 1");
        assertThat(page.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("dir/sü/");
        assertThat(page.prefix()).isEqualTo("dir/");
        assertThat(page.delimiter()).isEqualTo("/");
        assertThat(page.nextContinuationToken()).isEqualTo("dir%2Fk%01x");
    }

    @Test
    void aPageXmlCannotCarryFailsAsTheClientsDoesSoThatListingsAsksForItEncoded() {
        assertThatThrownBy(() -> SignedList.page(bytes("<ListBucketResult><Contents><Key>dir/k\u0001x</Key>"
                + "<Size>1</Size></Contents></ListBucketResult>")))
                .isInstanceOf(SdkClientException.class)
                .satisfies(e -> assertThat(Listings.unparsable((SdkClientException) e)).isTrue());
    }

    @Test
    void aDocumentTypeIsNotReadAndNoEntityOfItResolved() {
        assertThatThrownBy(() -> SignedList.page(bytes("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                + "\"file:///etc/passwd\">]><ListBucketResult><Contents><Key>&e;</Key></Contents></ListBucketResult>")))
                .isInstanceOf(SdkClientException.class);
    }

    private static byte[] bytes(String xml) {
        return xml.getBytes(StandardCharsets.UTF_8);
    }
}
