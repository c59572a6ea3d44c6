package dev.ferry.worker.multipart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.copy.Uploads;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeETagTest {

    @Test
    void isTheMd5OfTheConcatenatedPartMd5sFollowedByThePartCount() {
        // computed independently: python3 hashlib.md5(md5(b'first part') + md5(b'second part')).hexdigest()
        List<byte[]> parts = List.of(md5("first part"), md5("second part"));

        assertThat(CompositeETag.of(parts)).isEqualTo("2f2f82eceacf5bd0ac5d7c3d3d388849-2");
    }

    @Test
    void recognisesTheCompositeFormOnlyWithoutQuotes() {
        assertThat(CompositeETag.isComposite("2f2f82eceacf5bd0ac5d7c3d3d388849-2")).isTrue();
        assertThat(CompositeETag.isComposite(CompositeETag.unquoted("\"2f2f82eceacf5bd0ac5d7c3d3d388849-32\""))).isTrue();
        assertThat(CompositeETag.isComposite("2f2f82eceacf5bd0ac5d7c3d3d388849")).as("a single PUT's MD5").isFalse();
        assertThat(CompositeETag.isComposite("opaque-kms-etag")).isFalse();
        assertThat(CompositeETag.isComposite(null)).isFalse();
    }

    private static byte[] md5(String s) {
        return Uploads.md5().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
