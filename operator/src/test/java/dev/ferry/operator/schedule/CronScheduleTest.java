package dev.ferry.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

    @Test
    void theNextTimeIsTheFirstScheduledTimeStrictlyAfterTheMoment() {
        CronSchedule nightly = CronSchedule.parse("0 2 * * *", null);

        assertThat(nightly.nextAfter(Instant.parse("2024-03-01T01:59:59Z"))).contains(Instant.parse("2024-03-01T02:00:00Z"));
        assertThat(nightly.nextAfter(Instant.parse("2024-03-01T02:00:00Z"))).contains(Instant.parse("2024-03-02T02:00:00Z"));
        assertThat(CronSchedule.parse("*/15 * * * *", null).nextAfter(Instant.parse("2024-03-01T10:07:30Z")))
                .contains(Instant.parse("2024-03-01T10:15:00Z"));
        assertThat(CronSchedule.parse(" 30 6 * * MON-FRI ", null).nextAfter(Instant.parse("2024-03-01T07:00:00Z")))
                .as("Friday after 06:30: next Monday").contains(Instant.parse("2024-03-04T06:30:00Z"));
    }

    @Test
    void timesAreReadInTheGivenTimeZoneAndUtcWithoutOne() {
        Instant winter = Instant.parse("2024-01-15T12:00:00Z");
        assertThat(CronSchedule.parse("0 2 * * *", "Europe/Berlin").nextAfter(winter))
                .as("02:00 in Berlin is 01:00 UTC in winter").contains(Instant.parse("2024-01-16T01:00:00Z"));
        assertThat(CronSchedule.parse("0 2 * * *", "Europe/Berlin").nextAfter(Instant.parse("2024-07-15T12:00:00Z")))
                .as("and 00:00 UTC in summer").contains(Instant.parse("2024-07-16T00:00:00Z"));
        assertThat(CronSchedule.parse("0 2 * * *", "America/New_York").nextAfter(winter))
                .contains(Instant.parse("2024-01-16T07:00:00Z"));
        assertThat(CronSchedule.parse("0 2 * * *", null).describe()).isEqualTo("'0 2 * * *' (UTC)");
        assertThat(CronSchedule.parse("0 2 * * *", "Europe/Berlin").describe()).isEqualTo("'0 2 * * *' (Europe/Berlin)");
    }

    @Test
    void refusesWhatIsNotAFiveFieldCronExpressionNamingTheField() {
        assertThatThrownBy(() -> CronSchedule.parse("0 0 2 * * *", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.schedule '0 0 2 * * *' is not a cron expression of 5 fields")
                .hasMessageContaining("6 parts");
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", null)).hasMessageContaining("61 not in range");
        assertThatThrownBy(() -> CronSchedule.parse("@daily", null)).hasMessageContaining("spec.schedule '@daily'");
        assertThatThrownBy(() -> CronSchedule.parse("every night", null)).hasMessageContaining("spec.schedule");
        assertThatThrownBy(() -> CronSchedule.parse("", null)).hasMessageContaining("spec.schedule");
    }

    @Test
    void refusesATimeZoneThatDoesNotExist() {
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * * *", "Mars/Olympus_Mons"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.scheduleTimeZone 'Mars/Olympus_Mons' is not a time zone");
    }
}
