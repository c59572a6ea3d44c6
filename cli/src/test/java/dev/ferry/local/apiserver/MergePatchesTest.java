package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MergePatchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mergesObjectsReplacesEverythingElseAndRemovesWhatIsNull() throws Exception {
        JsonNode target = json("{'a':{'b':1,'c':2},'list':[1,2],'gone':true}");

        JsonNode merged = MergePatches.apply(target, json("{'a':{'c':3,'d':4},'list':[3],'gone':null}"));

        assertThat(merged).isEqualTo(json("{'a':{'b':1,'c':3,'d':4},'list':[3]}"));
        assertThat(target).as("unchanged").isEqualTo(json("{'a':{'b':1,'c':2},'list':[1,2],'gone':true}"));
    }

    @Test
    void thePatchBetweenTwoVersionsTurnsTheFirstIntoTheSecond() throws Exception {
        JsonNode from = json("{'metadata':{'name':'x'},'spec':{'a':1,'b':{'c':2}},'removed':'r'}");
        JsonNode to = json("{'metadata':{'name':'x'},'spec':{'a':1,'b':{'c':3}},'added':[1]}");

        JsonNode patch = MergePatches.between(from, to);

        assertThat(patch).isEqualTo(json("{'spec':{'b':{'c':3}},'removed':null,'added':[1]}"));
        assertThat(MergePatches.apply(from, patch)).isEqualTo(to);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }
}
