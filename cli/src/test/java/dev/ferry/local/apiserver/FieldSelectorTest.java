package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.SimpleJsonPathTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
    private static final JsonNode EVENT = json("""
            {"metadata": {"name": "e1", "namespace": "default"},
             "involvedObject": {"kind": "MigrationJob", "name": "a", "namespace": "default", "uid": "u-1"}}""");

    @Test
    void matchesEveryRequirementAgainstTheObject() {
        assertThat(FieldSelector.parse("involvedObject.name=a,involvedObject.kind=MigrationJob,involvedObject.uid=u-1")
                .matches(EVENT)).isTrue();
        assertThat(FieldSelector.parse("involvedObject.name==b").matches(EVENT)).isFalse();
        assertThat(FieldSelector.parse("involvedObject.name!=b,metadata.namespace=default").matches(EVENT)).isTrue();
    }

    @Test
    void treatsAMissingFieldAsEmpty() {
        assertThat(FieldSelector.parse("involvedObject.fieldPath=").matches(EVENT)).isTrue();
        assertThat(FieldSelector.parse("reason=Started").matches(EVENT)).isFalse();
    }

    @Test
    void knowsTheNameItPins() {
        assertThat(FieldSelector.parse("metadata.name=x").name()).isEqualTo("x");
        assertThat(FieldSelector.parse("metadata.name!=x").name()).isNull();
        assertThat(FieldSelector.parse(null).isEmpty()).isTrue();
    }
}
