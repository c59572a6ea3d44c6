package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/errors.md, "Left out by planning", lists exactly the codes planning reports. */
class SkipCodesTest {
    static final Path DOC = Path.of("..", "docs", "errors.md");

    @Test
    void theDocumentListsExactlyTheCodesOfTheWalk() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int section = lines.indexOf("## Left out by planning (not failures)");
        assertThat(section).as("the section exists").isNotNegative();
        List<String> documented = lines.subList(section, lines.size()).stream()
                .dropWhile(line -> !line.startsWith("| Code |"))
                .skip(2) // header and separator
                .takeWhile(line -> line.startsWith("| "))
                .map(line -> line.split("\\|")[1].strip())
                .toList();

        assertThat(documented).containsExactlyElementsOf(Arrays.stream(SkipCode.values()).map(Enum::name).toList());
    }
}
