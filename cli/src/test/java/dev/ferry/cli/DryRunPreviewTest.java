package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dry run prints one line per file, whatever the file's name holds. */
class DryRunPreviewTest {
    @Test
    void aNameWithATabOrANewlineStaysOnItsLineAndReadsBackUnambiguously() {
        assertThat(DryRunPreview.field("plain/name.txt")).isEqualTo("plain/name.txt");
        assertThat(DryRunPreview.field("new\nline\tand\rcr.txt")).isEqualTo("new\\nline\\tand\\rcr.txt");
        assertThat(DryRunPreview.field("back\\slash\\n.txt")).as("a literal backslash-n is not a newline")
                .isEqualTo("back\\\\slash\\\\n.txt");
    }
}
