package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluralsTest {
    @Test
    void oneTakesTheSingularAndEveryOtherCountThePlural() {
        assertThat(Plurals.files(1)).isEqualTo("1 file");
        assertThat(Plurals.files(0)).isEqualTo("0 files");
        assertThat(Plurals.files(2)).isEqualTo("2 files");
        assertThat(Plurals.plannedFiles(1)).isEqualTo("1 planned file");
        assertThat(Plurals.of(12, "task", "tasks")).isEqualTo("12 tasks");
    }
}
