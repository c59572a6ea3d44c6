// Client CPU per 8-KiB PUT through the SDK's ApacheHttpClient wrapper (what SignedPut sends with) against a lean
// Apache HttpClient 4.5 (no cookie, auth-cache, compression, redirect, retry or connection-state handling), the
// same unsigned request, 16 threads, 6 rounds of N (docs/benchmarks.md, "A leaner HTTP client"). Not part of the
// build. Against an S3Proxy from Ferry's jar with s3proxy.authorization=none:
//   printf 's3proxy.endpoint=http://127.0.0.1:18999\ns3proxy.authorization=none\njclouds.provider=filesystem\n'\
//     'jclouds.filesystem.basedir=/tmp/lean/data\n' > /tmp/lean/s3.properties
//   java -Xmx1g -XX:+UseParallelGC -cp cli/target/ferry.jar org.gaul.s3proxy.Main --properties /tmp/lean/s3.properties &
//   javac -cp cli/target/ferry.jar -d /tmp/lean/classes e2e/bench/leanput/LeanPutBench.java
//   java -XX:+UseParallelGC -cp cli/target/ferry.jar:/tmp/lean/classes LeanPutBench http://127.0.0.1:18999 sdk|lean 5000 16
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.*;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

public class LeanPutBench {
    public static void main(String[] a) throws Exception {
        String endpoint = a[0]; String kind = a[1]; int n = Integer.parseInt(a[2]); int threads = Integer.parseInt(a[3]);
        byte[] body = new byte[8192];
        new java.util.Random(1).nextBytes(body);
        SdkHttpClient sdk = ApacheHttpClient.builder().maxConnections(threads + 8).expectContinueEnabled(false).build();
        PoolingHttpClientConnectionManager cm = new PoolingHttpClientConnectionManager();
        cm.setMaxTotal(threads + 8); cm.setDefaultMaxPerRoute(threads + 8);
        CloseableHttpClient lean = HttpClients.custom().setConnectionManager(cm).disableCookieManagement().disableAuthCaching()
            .disableConnectionState().disableContentCompression().disableRedirectHandling().disableAutomaticRetries()
            .setUserAgent("ferry").build();
        String bucket = "lb-" + kind;
        // create bucket
        var mk = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create(endpoint + "/" + bucket)).build();
        sdk.prepareRequest(HttpExecuteRequest.builder().request(mk).build()).call().responseBody().ifPresent(s -> { try { s.close(); } catch (Exception e) {} });
        var bean = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 6; round++) {
            AtomicInteger next = new AtomicInteger(); AtomicInteger bad = new AtomicInteger();
            long cpu0 = bean.getProcessCpuTime(), t0 = System.nanoTime();
            final int r = round;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) pool.submit(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        String key = "r" + r + "/f" + i;
                        int status;
                        if (kind.equals("lean")) {
                            HttpPut put = new HttpPut(endpoint + "/" + bucket + "/" + key);
                            put.setEntity(new ByteArrayEntity(body));
                            put.setHeader("Content-Type", "application/octet-stream");
                            put.setHeader("x-amz-meta-mtime", "1700000000.000000000");
                            try (var resp = lean.execute(put)) { status = resp.getStatusLine().getStatusCode(); EntityUtils.consume(resp.getEntity()); }
                        } else {
                            var req = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create(endpoint + "/" + bucket + "/" + key))
                                .putHeader("Content-Type", "application/octet-stream").putHeader("Content-Length", "8192")
                                .putHeader("x-amz-meta-mtime", "1700000000.000000000").build();
                            HttpExecuteResponse resp = sdk.prepareRequest(HttpExecuteRequest.builder().request(req)
                                .contentStreamProvider(() -> new ByteArrayInputStream(body)).build()).call();
                            status = resp.httpResponse().statusCode();
                            if (resp.responseBody().isPresent()) { var in = resp.responseBody().get(); in.readAllBytes(); in.close(); }
                        }
                        if (status != 200) bad.incrementAndGet();
                    }
                } catch (Exception e) { e.printStackTrace(); } finally { done.countDown(); }
            });
            done.await();
            long cpu = bean.getProcessCpuTime() - cpu0, wall = System.nanoTime() - t0;
            System.out.printf("%s round %d: %d PUTs, %d bad, %.1f us CPU/PUT, %.0f PUT/s%n", kind, round, n, bad.get(), cpu / 1e3 / n, n / (wall / 1e9));
        }
        pool.shutdown(); System.exit(0);
    }
}
