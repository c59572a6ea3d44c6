package dev.ferry.operator.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import org.junit.jupiter.api.Test;

/** Of two informers' copies of a job, the reconcile takes the later one. */
class ResourceVersionsTest {

    @Test
    void takesTheOtherCopyOnlyWhenItIsALaterVersion() {
        MigrationJob v7 = job("7");
        MigrationJob v12 = job("12");

        assertThat(ResourceVersions.later(v7, v12)).as("numbers, not strings: 12 > 7").isSameAs(v12);
        assertThat(ResourceVersions.later(v12, v7)).isSameAs(v12);
        assertThat(ResourceVersions.later(v7, job("7"))).as("the same version: the controller's own").isSameAs(v7);
    }

    @Test
    void keepsTheCurrentCopyWhenTheOtherIsMissingOrItsVersionIsNotANumber() {
        MigrationJob current = job("7");

        assertThat(ResourceVersions.later(current, null)).isSameAs(current);
        assertThat(ResourceVersions.later(current, job("opaque-9"))).isSameAs(current);
        assertThat(ResourceVersions.later(job(null), job("9"))).as("nothing to compare with").extracting(
                j -> j.getMetadata().getResourceVersion()).isNull();
    }

    private static MigrationJob job(String resourceVersion) {
        MigrationJob job = new MigrationJob();
        job.getMetadata().setName("j");
        job.getMetadata().setResourceVersion(resourceVersion);
        return job;
    }
}
