package dev.ferry.worker.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The order the job's own objects are removed in: a folder key of a file-backed store only once it is empty. */
class StateObjectsTest {

    @Test
    void removesTheObjectsFirstThenTheFoldersDeepestFirst() {
        List<String> listed = List.of("s/failures/", "s/failures/t1/", "s/failures/t1/1-1.jsonl", "s/failures/t1/sub/",
                "s/failures/t1/sub/x", "s/failures/t2/2-1.jsonl");

        assertThat(StateObjects.filesBeforeFolders(listed, true)).containsExactly("s/failures/t1/1-1.jsonl",
                "s/failures/t1/sub/x", "s/failures/t2/2-1.jsonl", "s/failures/t1/sub/", "s/failures/t1/", "s/failures/");
    }

    @Test
    void leavesTheFoldersOfAPageForALaterOneWhileMoreKeysFollowButNeverLeavesNothing() {
        assertThat(StateObjects.filesBeforeFolders(List.of("s/a/", "s/a/1", "s/b/"), false)).containsExactly("s/a/1");
        assertThat(StateObjects.filesBeforeFolders(List.of("s/a/", "s/b/"), false)).containsExactly("s/b/", "s/a/");
    }
}
