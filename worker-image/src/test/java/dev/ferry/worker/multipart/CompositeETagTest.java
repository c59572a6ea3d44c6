package dev.ferry.worker.multipart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.copy.Uploads;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.CompletedPart;

class CompositeETagTest {

    @Test
    void isTheMd5OfTheConcatenatedPartMd5sFollowedByThePartCount() {
        // computed independently: python3 hashlib.md5(md5(b'first part') + md5(b'second part')).hexdigest()
        List<byte[]> parts = List.of(md5("first part"), md5("second part"));

        assertThat(CompositeETag.of(parts)).isEqualTo("2f2f82eceacf5bd0ac5d7c3d3d388849-2");
    }

    @Test
    void ofPartsAnsweredWithTheirMd5sIsTheCompositeOfThoseMd5s() {
        byte[] first = md5("first part");
        byte[] second = md5("second part");
        List<CompletedPart> answered = List.of(part(1, HexFormat.of().formatHex(first)), part(2, HexFormat.of().formatHex(second)));

        assertThat(CompositeETag.ofAnswered(answered, Map.of(1, first, 2, second)))
                .isEqualTo(CompositeETag.of(List.of(first, second))).isEqualTo("2f2f82eceacf5bd0ac5d7c3d3d388849-2");
    }

    @Test
    void ofPartsAnsweredWithETagsThatAreNotTheirMd5sIsComputedFromThoseETagsAsS3DoesUnderKms() {
        // python3: hashlib.md5(bytes.fromhex(A) + bytes.fromhex(B)).hexdigest() + '-2'
        List<CompletedPart> answered = List.of(part(1, "0123456789abcdef0123456789abcdef"),
                part(2, "fedcba9876543210fedcba9876543210"));

        assertThat(CompositeETag.ofAnswered(answered, Map.of(1, md5("first part"), 2, md5("second part"))))
                .isEqualTo("b871e39d1a3258ca21654616395f5079-2");
    }

    @Test
    void aPartAnsweredWithAnETagNotOfMd5FormCountsWithItsMd5() {
        List<CompletedPart> answered = List.of(part(1, "0123456789abcdef0123456789abcdef"), part(2, "opaque"));

        assertThat(CompositeETag.ofAnswered(answered, Map.of(1, md5("first part"), 2, md5("second part"))))
                .isEqualTo("8a8dcbfd84fdb09d5edb660d5454a2c7-2");
    }

    @Test
    void recognisesTheCompositeFormOnlyWithoutQuotes() {
        assertThat(CompositeETag.isComposite("2f2f82eceacf5bd0ac5d7c3d3d388849-2")).isTrue();
        assertThat(CompositeETag.isComposite(CompositeETag.unquoted("\"2f2f82eceacf5bd0ac5d7c3d3d388849-32\""))).isTrue();
        assertThat(CompositeETag.isComposite("2f2f82eceacf5bd0ac5d7c3d3d388849")).as("a single PUT's MD5").isFalse();
        assertThat(CompositeETag.isComposite("opaque-kms-etag")).isFalse();
        assertThat(CompositeETag.isComposite(null)).isFalse();
    }

    private static CompletedPart part(int number, String hexETag) {
        return CompletedPart.builder().partNumber(number).eTag('"' + hexETag + '"').build();
    }

    private static byte[] md5(String s) {
        return Uploads.md5().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
