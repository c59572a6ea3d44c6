package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/errors.md documents exactly the codes of {@link FailureCode}, each with how Ferry handles it. */
class FailureCodeDocumentationTest {
    static final Path DOC = Path.of("..", "docs", "errors.md");

    @Test
    void theDocumentListsEveryCodeWithItsHandling() throws IOException {
        List<String> documented = tableRows("## Every code", "| Code |").stream()
                .map(cells -> cells[1].strip().replace("`", "") + " " + cells[2].strip().replace("`", ""))
                .toList();

        assertThat(documented).containsExactlyElementsOf(Arrays.stream(FailureCode.values())
                .map(code -> code.name() + " " + code.handling().name()).toList());
    }

    @Test
    void theDocumentListsExactlyTheCodesOfTheWalk() throws IOException {
        List<String> documented = tableRows("## Left out by planning (not failures)", "| Code |").stream()
                .map(cells -> cells[1].strip())
                .toList();

        assertThat(documented).containsExactlyElementsOf(Arrays.stream(FailureCode.values())
                .filter(code -> code.handling() == FailureCode.Handling.LEAVE_OUT).map(Enum::name).toList());
    }

    /** The cells of the first table after {@code heading} whose header starts with {@code header}. */
    private static List<String[]> tableRows(String heading, String header) throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int section = lines.indexOf(heading);
        assertThat(section).as("the section %s exists", heading).isNotNegative();
        return lines.subList(section, lines.size()).stream()
                .dropWhile(line -> !line.startsWith(header))
                .skip(2) // header and separator
                .takeWhile(line -> line.startsWith("| "))
                .map(line -> line.split("\\|"))
                .toList();
    }
}
