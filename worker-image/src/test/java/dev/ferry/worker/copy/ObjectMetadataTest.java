package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.s3.ObjectMetadata;
import org.junit.jupiter.api.Test;

/** The symlink-target value: printable ASCII as it is, anything else percent-encoded, always decodable. */
class ObjectMetadataTest {

    @Test
    void aPlainLinkTextIsStoredAsItIs() {
        assertThat(ObjectMetadata.encodeHeaderValue("../shared/config-v2.yaml")).isEqualTo("../shared/config-v2.yaml");
    }

    @Test
    void bytesThatAreNotPrintableAsciiAndTheSpaceAndPercentArePercentEncoded() {
        assertThat(ObjectMetadata.encodeHeaderValue("naïve dir/100%\t"))
                .isEqualTo("na%C3%AFve%20dir/100%25%09");
        assertThat(ObjectMetadata.encodeHeaderValue(" lead")).isEqualTo("%20lead");
    }

    @Test
    void decodingGivesTheLinkTextBack() {
        for (String text : new String[] {"docs/a.txt", "naïve dir/100%\t", "a+b", "日本/語", "%41", " x "}) {
            String encoded = ObjectMetadata.encodeHeaderValue(text);
            assertThat(encoded).matches("[\\x21-\\x7e]*");
            assertThat(ObjectMetadata.decodeHeaderValue(encoded)).isEqualTo(text);
        }
    }
}
