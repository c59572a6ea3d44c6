// Process CPU per item of two ways to run 50,000 items of WORK_US microseconds of CPU plus a 0.2 ms sleep (a
// small file's blocking request) on 16 threads: dispatch, as CopyRunner does per file (a Semaphore of 16 permits,
// one ThreadPoolExecutor hand-off per item), against pull (16 threads that take the next index from an
// AtomicInteger). Measured in session 36 (docs/benchmarks.md): the hand-off costs about 24 us of CPU per item on
// this machine. Not part of the build:
//   javac -d /tmp/handoff e2e/bench/handoff/HandoffBench.java && java -cp /tmp/handoff HandoffBench 50
import java.lang.management.ManagementFactory;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
public class HandoffBench {
    static void work(int us) { long end = System.nanoTime() + us * 1000L; while (System.nanoTime() < end) { } }
    public static void main(String[] a) throws Exception {
        int n = 50000, threads = 16, workUs = Integer.parseInt(a[0]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < 3; round++) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            Semaphore window = new Semaphore(threads);
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                window.acquire();
                pool.execute(() -> { try { work(workUs); Thread.sleep(0, 200000); } catch (InterruptedException e) { } finally { window.release(); } });
            }
            window.acquire(threads); window.release(threads);
            long c1 = os.getProcessCpuTime(), t1 = System.nanoTime();
            pool.shutdown();
            ExecutorService pool2 = Executors.newFixedThreadPool(threads);
            AtomicInteger next = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) pool2.execute(() -> { try { while (next.getAndIncrement() < n) { work(workUs); Thread.sleep(0, 200000); } } catch (InterruptedException e) { } finally { done.countDown(); } });
            done.await();
            long c2 = os.getProcessCpuTime(), t2 = System.nanoTime();
            pool2.shutdown();
            System.out.printf("work %d us: dispatch per item %.1f us CPU (%.1f s), pull %.1f us CPU (%.1f s)%n", workUs,
                (c1 - c0) / 1e3 / n, (t1 - t0) / 1e9, (c2 - c1) / 1e3 / n, (t2 - t1) / 1e9);
        }
    }
}
