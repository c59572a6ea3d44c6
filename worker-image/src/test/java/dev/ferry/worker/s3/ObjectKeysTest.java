package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which keys S3 can take. */
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
}
