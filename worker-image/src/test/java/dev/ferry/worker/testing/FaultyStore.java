package dev.ferry.worker.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A store stand-in for fault tests: a small HTTP proxy in front of an S3 server (S3Proxy) that forwards
 * every request to it unchanged — byte for byte, so the client's signature (made for this proxy's host)
 * still holds — and, on demand, answers chosen requests itself with a given status and S3 error XML,
 * as a store that is full (403 {@code QuotaExceeded}, 507), that cannot store one key (500
 * {@code InternalError}) or that throttles would, or with a body of the test's own (a store whose
 * listings differ from S3Proxy's).
 *
 * <p>A fault matches by HTTP method and a regular expression found in the decoded request path and
 * query ({@code /bucket/key?partNumber=2&uploadId=...}); it answers every matching request, or only the
 * first {@code times} of them. Each request goes over a connection of its own (the forwarded request
 * asks the server to close it), so that every request is seen here.
 */
public final class FaultyStore implements AutoCloseable {
    private final URI upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-store");
        t.setDaemon(true);
        return t;
    });
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private FaultyStore(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** A proxy on a free loopback port in front of the S3 server at {@code upstream}. */
    public static FaultyStore inFrontOf(URI upstream) throws IOException {
        return new FaultyStore(upstream);
    }

    /** Where clients send their requests. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** One answer the proxy gives instead of the store; it counts the requests it answered. */
    public final class Fault {
        final String method;
        final Pattern target;
        final int status;
        final String contentType;
        final String body;
        final int times;
        /** Not null: the request is forwarded and this header line added to the store's answer. */
        final String addedHeader;
        /** Above zero: the request is forwarded after this many milliseconds. */
        final long delayMillis;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger mostHeld = new AtomicInteger();

        Fault(String method, Pattern target, int status, String contentType, String body, int times) {
            this(method, target, status, contentType, body, times, null);
        }

        Fault(String method, Pattern target, int status, String contentType, String body, int times, String addedHeader) {
            this(method, target, status, contentType, body, times, addedHeader, 0);
        }

        Fault(String method, Pattern target, int status, String contentType, String body, int times, String addedHeader,
              long delayMillis) {
            this.method = method;
            this.target = target;
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.times = times;
            this.addedHeader = addedHeader;
            this.delayMillis = delayMillis;
        }

        /** The most requests of this fault's that were held back (delayed) at one time. */
        public int mostAtOnce() {
            return mostHeld.get();
        }

        /** Requests this fault answered so far. */
        public int answered() {
            return answered.get();
        }

        /** The proxy forwards what this fault answered from now on. */
        public void remove() {
            faults.remove(this);
        }

        boolean takes(String requestMethod, String pathAndQuery) {
            if (!(method.equals("*") || method.equalsIgnoreCase(requestMethod)) || !target.matcher(pathAndQuery).find()) {
                return false;
            }
            if (answered.incrementAndGet() > times) {
                answered.decrementAndGet();
                return false;
            }
            return true;
        }
    }

    /**
     * Answers every {@code method} request ({@code *}: any) whose decoded path and query contain a match of
     * {@code target} with {@code status} and an S3 error of {@code code}.
     */
    public Fault answer(String method, String target, int status, String code, String message) {
        return answer(method, target, status, code, message, Integer.MAX_VALUE);
    }

    /** As {@link #answer(String, String, int, String, String)}, for the first {@code times} matching requests only. */
    public Fault answer(String method, String target, int status, String code, String message, int times) {
        String error = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message><RequestId>faulty-store</RequestId></Error>";
        return add(new Fault(method, Pattern.compile(target), status, "application/xml", error, times));
    }

    /**
     * Answers the first {@code times} matching requests with 200 and {@code body} of {@code contentType}:
     * a store whose answers differ from S3Proxy's (a listing with other ETags, for instance).
     */
    public Fault answerOk(String method, String target, String contentType, String body, int times) {
        return add(new Fault(method, Pattern.compile(target), 200, contentType, body, times));
    }

    /**
     * Forwards every {@code method} request matching {@code target} and adds {@code header} (a whole line,
     * {@code Name: value}) to the store's answer: a store that says more than S3Proxy does (that it encrypts
     * an object, for instance).
     */
    public Fault addHeader(String method, String target, String header) {
        return add(new Fault(method, Pattern.compile(target), 0, null, null, Integer.MAX_VALUE, header));
    }

    /**
     * Forwards every {@code method} request matching {@code target} after {@code delayMillis}: a store far away,
     * or slow to answer these requests. {@link Fault#mostAtOnce} tells how many the client had in flight at once.
     */
    public Fault delay(String method, String target, long delayMillis) {
        return add(new Fault(method, Pattern.compile(target), 0, null, null, Integer.MAX_VALUE, null, delayMillis));
    }

    private Fault add(Fault fault) {
        faults.add(fault);
        return fault;
    }

    /** Forwards everything again. */
    public void clear() {
        faults.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("the faulty store stopped accepting", e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0];
            String target = decoded(requestLine[1]);
            for (Fault fault : faults) {
                if (fault.takes(method, target)) {
                    if (fault.delayMillis > 0) {
                        holdBack(fault);
                        forward(client, in, lines, null);
                    } else if (fault.addedHeader != null) {
                        forward(client, in, lines, fault.addedHeader);
                    } else {
                        answer(client, in, method, fault);
                    }
                    return;
                }
            }
            forward(client, in, lines, null);
        } catch (IOException e) {
            // the client or the server went away: so does this exchange
        }
    }

    private static void holdBack(Fault fault) {
        fault.mostHeld.accumulateAndGet(fault.held.incrementAndGet(), Math::max);
        try {
            Thread.sleep(fault.delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fault.held.decrementAndGet();
        }
    }

    /**
     * The request head with {@code Connection: close}, then both directions piped until the server closes;
     * {@code addedHeader}, when not null, is added to the head of the store's answer.
     */
    private void forward(Socket client, InputStream in, String[] lines, String addedHeader) throws IOException {
        try (Socket store = new Socket(upstream.getHost(), upstream.getPort())) {
            StringBuilder head = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].regionMatches(true, 0, "Connection:", 0, "Connection:".length())) {
                    head.append(lines[i]).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream toStore = store.getOutputStream();
            toStore.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            toStore.flush();
            threads.execute(() -> {
                try {
                    in.transferTo(toStore);
                } catch (IOException ignored) {
                    // the exchange ended
                }
            });
            InputStream fromStore = store.getInputStream();
            if (addedHeader != null) {
                String answerHead = readHead(fromStore);
                if (answerHead == null) {
                    return;
                }
                client.getOutputStream().write((answerHead + "\r\n" + addedHeader + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            fromStore.transferTo(client.getOutputStream());
            client.getOutputStream().flush();
        }
    }

    private static void answer(Socket client, InputStream in, String method, Fault fault) throws IOException {
        byte[] body = fault.body.getBytes(StandardCharsets.UTF_8);
        boolean head = method.equalsIgnoreCase("HEAD");
        String response = "HTTP/1.1 " + fault.status + " Fault\r\n"
                + "Content-Type: " + fault.contentType + "\r\n"
                + "Content-Length: " + (head ? 0 : body.length) + "\r\n"
                + "x-amz-request-id: faulty-store\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(body);
        }
        out.flush();
        client.shutdownOutput();
        // read what the client still sends (a body it did not hold back), so that closing resets nothing
        client.setSoTimeout(2000);
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (SocketException | java.net.SocketTimeoutException ignored) {
            // the client closed, or sends nothing more
        }
    }

    /** The request line and headers, up to the empty line; null when the client closed first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    private static String decoded(String target) {
        try {
            URI uri = new URI("http://store" + target);
            return uri.getPath() + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
        } catch (URISyntaxException e) {
            return target;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        threads.shutdownNow();
    }
}
