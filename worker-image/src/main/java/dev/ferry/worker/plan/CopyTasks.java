package dev.ferry.worker.plan;

import java.util.Locale;

/** Names of the tasks a plan creates in its numbered sequence (Copy and Parts tasks). */
public final class CopyTasks {
    private CopyTasks() {
    }

    /** The n-th (1-based) task of plan task {@code planTask}: {@code <plan>-00001}, ... */
    public static String name(String planTask, int n) {
        return planTask + "-" + String.format(Locale.ROOT, "%05d", n);
    }
}
