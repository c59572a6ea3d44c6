package dev.ferry.cli;

import dev.ferry.api.MigrationJobStatus;
import java.time.Duration;

/** How a watched job ended: its last status, the wall time, and why it did not succeed. */
record JobOutcome(String jobName, boolean succeeded, String reason, MigrationJobStatus status, Duration wallTime) {
}
