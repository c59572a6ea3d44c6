package dev.ferry.worker.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    @Test
    void aListSurvivesTheRoundTripInItsOrderWithUnicodeAndLinkTargets() {
        FileEntry link = new FileEntry("latest.txt", 5, 1_700_000_000_123L);
        link.target = "releases/v3.txt";
        List<FileEntry> files = List.of(new FileEntry("z.txt", 1, 2), new FileEntry("dir with space/ünï 文件.bin", 3, 4),
                link);

        byte[] content = Manifests.encode(files);
        List<FileEntry> back = Manifests.decode(content);

        assertThat(back).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(files);
        assertThat(new String(content, StandardCharsets.UTF_8).lines()).hasSize(3)
                .first().isEqualTo("{\"path\":\"z.txt\",\"size\":1,\"mtime\":2}");
    }

    @Test
    void theKeyFollowsTheContent() {
        byte[] one = Manifests.encode(List.of(new FileEntry("a", 1, 1)));
        byte[] other = Manifests.encode(List.of(new FileEntry("b", 1, 1)));

        assertThat(Manifests.contentHash(one)).hasSize(16).isEqualTo(Manifests.contentHash(one.clone()))
                .isNotEqualTo(Manifests.contentHash(other));
    }

    @Test
    void unknownFieldsOfANewerWriterAreIgnored() {
        List<FileEntry> files = Manifests.decode("{\"path\":\"a\",\"size\":1,\"mtime\":2,\"mode\":420}\n\n"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(files).singleElement().satisfies(f -> assertThat(f.path).isEqualTo("a"));
    }
}
