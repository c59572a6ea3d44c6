package dev.ferry.local;

import java.util.TreeMap;

/** A process that plays a worker container in kubelet tests: prints its environment, then waits. */
public final class StandInWorker {

    private StandInWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        new TreeMap<>(System.getenv()).forEach((k, v) -> {
            if (k.startsWith("POD_") || k.startsWith("FERRY_") || k.startsWith("AWS_") || k.equals("KUBECONFIG")) {
                System.out.println(k + "=" + v);
            }
        });
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
