package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The source's policies for links and empty directories, and the deprecated followSymlinks. */
class SourceSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void linksAreSkippedAndEmptyDirectoriesLeftOutByDefault() throws Exception {
        SourceSpec source = JSON.readValue("{\"pvc\":\"data\"}", SourceSpec.class);

        assertThat(source.effectiveSymlinks()).isEqualTo(SymlinkPolicy.Skip);
        assertThat(source.emptyDirectoriesOrDefault()).isEqualTo(EmptyDirectoryPolicy.Skip);
    }

    @Test
    void theDeprecatedFollowSymlinksMeansFollowWhenSymlinksIsNotSet() throws Exception {
        SourceSpec legacy = JSON.readValue("{\"pvc\":\"data\",\"followSymlinks\":true}", SourceSpec.class);
        SourceSpec explicit = JSON.readValue("{\"pvc\":\"data\",\"followSymlinks\":true,\"symlinks\":\"Store\"}",
                SourceSpec.class);
        SourceSpec off = JSON.readValue("{\"pvc\":\"data\",\"followSymlinks\":false}", SourceSpec.class);

        assertThat(legacy.effectiveSymlinks()).isEqualTo(SymlinkPolicy.Follow);
        assertThat(explicit.effectiveSymlinks()).as("symlinks, when set, decides").isEqualTo(SymlinkPolicy.Store);
        assertThat(off.effectiveSymlinks()).isEqualTo(SymlinkPolicy.Skip);
    }

    @Test
    void aRegularFilesEntryCarriesNoKindOrLinkText() throws Exception {
        FileEntry file = new FileEntry("docs/a.txt", 5, 1_700_000_000_000L);
        FileEntry link = new FileEntry("latest", 10, 1_700_000_000_000L);
        link.kind = EntryKind.Symlink;
        link.linkTarget = "docs/a.txt";

        assertThat(JSON.writeValueAsString(file))
                .isEqualTo("{\"path\":\"docs/a.txt\",\"size\":5,\"mtime\":1700000000000}");
        assertThat(JSON.writeValueAsString(link)).isEqualTo("{\"path\":\"latest\",\"size\":10,"
                + "\"mtime\":1700000000000,\"kind\":\"Symlink\",\"linkTarget\":\"docs/a.txt\"}");
        assertThat(file.kindOrFile()).isEqualTo(EntryKind.File);
    }
}
