package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CEL rules ratchet as on a Kubernetes 1.30+ API server: an update is not refused for a value it left as
 * it was, while a changed value, a new object and a transition rule are checked as before.
 */
class StructuralSchemaRatchetingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"object","properties":{
              "spec":{"type":"object","x-kubernetes-validations":[
                  {"rule":"self == oldSelf","message":"spec is immutable"}],
                "properties":{"name":{"type":"string","x-kubernetes-validations":[
                    {"rule":"self.size() > 2","message":"name too short"}]}}},
              "status":{"type":"object","properties":{
                "count":{"type":"integer","x-kubernetes-validations":[
                    {"rule":"self >= oldSelf","message":"count went back"},
                    {"rule":"self < 100","message":"count too large"}]}}}}}
            """;

    private final StructuralSchema schema = new StructuralSchema(json(SCHEMA), new CelRules());

    @Test
    void aNewObjectIsCheckedAgainstEveryRule() {
        assertThat(messages(schema.admit(object("ab", 1), null))).containsExactly("name too short");
    }

    @Test
    void anUpdateIsNotRefusedForAValueItLeftAsItWas() {
        // written before the rule tightened: a status write must still get through
        JsonNode old = object("ab", 1);

        assertThat(messages(schema.admit(object("ab", 2), old))).isEmpty();
    }

    @Test
    void aChangedValueIsCheckedAndTransitionRulesAlwaysAre() {
        assertThat(messages(schema.admit(object("xy", 1), object("abc", 1))))
                .containsExactlyInAnyOrder("name too short", "spec is immutable");
        assertThat(messages(schema.admit(object("abc", 0), object("abc", 5)))).containsExactly("count went back");
        assertThat(messages(schema.admit(object("abc", 150), object("abc", 5)))).containsExactly("count too large");
    }

    private static List<String> messages(StructuralSchema.Outcome outcome) {
        return outcome.errors().stream().map(e -> e.body().substring(e.body().lastIndexOf(": ") + 2)).toList();
    }

    private static ObjectNode object(String name, int count) {
        return (ObjectNode) json("{\"spec\":{\"name\":\"" + name + "\"},\"status\":{\"count\":" + count + "}}");
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
