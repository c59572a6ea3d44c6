package dev.ferry.worker.plan;

/**
 * How many files a plan's n-th task may hold: {@code spec.tasks.maxFiles}, except that a plan's first
 * tasks are smaller — {@value #FIRST_TASK_FILES}, then twice as many each time up to the maximum. The
 * walk must stat every file of a task before it can create it, so a small first task lets copying start
 * while planning goes on (a cold NFS directory answers a few thousand stats a second), and the first
 * tasks of a job spread over its workers; later tasks are large, so each costs the control plane little
 * per file. The size depends only on the task's number, so a plan taken back and resumed cuts the same
 * tasks again.
 */
final class TaskSizes {
    static final int FIRST_TASK_FILES = 500;

    private final int maxFiles;

    TaskSizes(int maxFiles) {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1, got " + maxFiles);
        }
        this.maxFiles = maxFiles;
    }

    /** The most files of the plan's task number {@code taskNumber} (1 for its first). */
    int maxFilesOf(int taskNumber) {
        int doublings = Math.min(Math.max(taskNumber - 1, 0), 20);
        long ramp = (long) FIRST_TASK_FILES << doublings;
        return (int) Math.min(maxFiles, ramp);
    }
}
