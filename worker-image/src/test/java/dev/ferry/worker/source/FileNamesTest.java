package dev.ferry.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ferry.worker.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A name that is not UTF-8 keeps a form that is unique, marked and readable; every other name is itself. */
class FileNamesTest {
    @TempDir
    Path directory;

    @Test
    void aNameThatIsUtf8IsItsOwnText() throws Exception {
        List<String> names = List.of("plain.txt", "sp ace.txt", "日本語.txt", "café.txt", "new\nline.txt",
                "plus+and&eq=q?x#h%25.txt", "back\\slash.txt", "-dash", "genuine\uFFFDreplacement.txt");
        for (String name : names) {
            Files.writeString(directory.resolve(name), name);
        }

        assertThat(namesListed()).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void eachByteThatIsNotUtf8IsMarkedWithItsHexDigits() throws Exception {
        Trees.writeByRawName(directory, "caf\\351.txt", "latin-1 e acute");
        Trees.writeByRawName(directory, "caf\\350.txt", "latin-1 e grave: another file, another name");
        Trees.writeByRawName(directory, "r\\351sum\\351/", "");
        Trees.writeByRawName(directory, "\\346\\227\\245 cut short \\346\\227", "a valid character, then a truncated one");

        assertThat(namesListed()).containsExactlyInAnyOrder("caf\uFFFDE9.txt", "caf\uFFFDE8.txt",
                "r\uFFFDE9sum\uFFFDE9", "日 cut short \uFFFDE6\uFFFD97");
        assertThat(namesListed()).allMatch(FileNames::hasReplacement);
    }

    @Test
    void theMarkedFormDecodesValidSequencesAroundStrayBytes() {
        byte[] raw = "ä".getBytes(StandardCharsets.UTF_8);
        byte[] mixed = {raw[0], raw[1], (byte) 0xFF, 'x', (byte) 0xC3};

        assertThat(FileNames.marked(mixed)).isEqualTo("ä\uFFFDFFx\uFFFDC3");
        assertThat(FileNames.marked("plain".getBytes(StandardCharsets.UTF_8))).isEqualTo("plain");
    }

    @Test
    void aWorkerRunsOnlyWhereFileNamesDecodeAsUtf8() {
        assertThatCode(() -> FileNames.requireUtf8("UTF-8")).doesNotThrowAnyException();
        assertThatCode(() -> FileNames.requireUtf8("utf8")).doesNotThrowAnyException();
        assertThatThrownBy(() -> FileNames.requireUtf8("ANSI_X3.4-1968"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ANSI_X3.4-1968").hasMessageContaining("LANG=C.UTF-8");
        assertThatThrownBy(() -> FileNames.requireUtf8(null)).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> namesListed() throws Exception {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            entries.forEach(entry -> names.add(FileNames.of(entry)));
        }
        return names;
    }
}
