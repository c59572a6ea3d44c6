package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimpleJsonPathTest {
    private static final JsonNode JOB = json("""
            {"metadata": {"name": "a", "labels": {"ferry.dev/job": "a"}},
             "status": {"phase": "Running", "bytes": {"copied": 42},
               "conditions": [
                 {"type": "Progressing", "status": "True"},
                 {"type": "Ready", "status": "False", "reason": "Copying"}]}}
            """);

    @Test
    void followsFieldNames() {
        assertThat(texts(".status.phase")).containsExactly("Running");
        assertThat(texts(".status.bytes.copied")).containsExactly("42");
    }

    @Test
    void selectsTheConditionOfAType() {
        assertThat(texts(".status.conditions[?(@.type==\"Ready\")].status")).containsExactly("False");
        assertThat(texts(".status.conditions[?(@.type=='Ready')].reason")).containsExactly("Copying");
        assertThat(texts(".status.conditions[?(@.type!=\"Ready\")].type")).containsExactly("Progressing");
    }

    @Test
    void indexesAndWildcardsArrays() {
        assertThat(texts(".status.conditions[0].type")).containsExactly("Progressing");
        assertThat(texts(".status.conditions[-1].type")).containsExactly("Ready");
        assertThat(texts(".status.conditions[*].type")).containsExactly("Progressing", "Ready");
    }

    @Test
    void acceptsBracesDollarAndQuotedKeys() {
        assertThat(texts("{.status.phase}")).containsExactly("Running");
        assertThat(texts("$.status.phase")).containsExactly("Running");
        assertThat(texts(".metadata.labels['ferry.dev/job']")).containsExactly("a");
    }

    @Test
    void selectsNothingWhereTheDocumentHasNothing() {
        assertThat(texts(".status.files.total")).isEmpty();
        assertThat(texts(".status.conditions[?(@.type==\"Succeeded\")].status")).isEmpty();
        assertThat(texts(".status.conditions[5].type")).isEmpty();
    }

    @Test
    void refusesWhatItCannotEvaluate() {
        assertThatThrownBy(() -> SimpleJsonPath.compile(".status.conditions[?(@.count > 1)]"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimpleJsonPath.compile("status")).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> texts(String path) {
        return SimpleJsonPath.compile(path).evaluate(JOB).stream().map(JsonNode::asText).toList();
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
