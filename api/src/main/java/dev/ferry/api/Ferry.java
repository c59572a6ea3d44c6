package dev.ferry.api;

/** Names shared by the operator, the workers and the local mode: the group, labels and annotations. */
public final class Ferry {
    public static final String GROUP = "ferry.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String CATEGORY = "ferry";

    /** Label on tasks, worker pods and worker Deployments: the name of the job they belong to. */
    public static final String JOB_LABEL = "ferry.dev/job";
    /**
     * Workers get the keys of {@code spec.notifications.kafka.secret} (Kafka client properties) as
     * environment variables with this prefix ({@code envFrom}), so they need no access to Secrets.
     */
    public static final String KAFKA_ENV_PREFIX = "FERRY_KAFKA_";
    /** Label on tasks: their type, so that plans and copies can be listed apart. */
    public static final String TASK_TYPE_LABEL = "ferry.dev/task-type";
    /**
     * Annotation on every task a Plan task creates (Copy, Parts and child Plan tasks): the name of that
     * plan. A task may be folded away only once its plan can no longer create it again.
     */
    public static final String PLAN_ANNOTATION = "ferry.dev/plan";
    /**
     * Annotation on a job: a value other than {@code status.lastRunNow} starts a run once (at once when the job is
     * between runs, else when the current run ends): {@code kubectl annotate mj NAME ferry.dev/run-now=$(date +%s)}.
     */
    public static final String RUN_NOW_ANNOTATION = "ferry.dev/run-now";
    /** Label on a job's root plan and audit task: the run ({@code status.run}) they belong to. */
    public static final String RUN_LABEL = "ferry.dev/run";
    /** Annotation on local-mode pods: the OS process id playing that pod. */
    public static final String PID_ANNOTATION = "ferry.dev/pid";
    /** Annotation on local-mode pods: the file the process's output goes to, which {@code kubectl logs} reads. */
    public static final String LOG_FILE_ANNOTATION = "ferry.dev/log-file";
    /**
     * The port of the Prometheus endpoint {@code GET /metrics} of the operator and of each worker: a port
     * number (default {@link #DEFAULT_METRICS_PORT}), {@code 0} for any free one, empty or {@code off} for none.
     */
    public static final String METRICS_PORT_ENV = "FERRY_METRICS_PORT";
    public static final int DEFAULT_METRICS_PORT = 8080;
    /** {@code json}: the operator's and workers' log lines as JSON objects (their logback configurations read it). */
    public static final String LOG_FORMAT_ENV = "FERRY_LOG_FORMAT";
    /** The name of the container port of {@code GET /metrics} in worker (and operator) pods. */
    public static final String METRICS_PORT_NAME = "metrics";
    /** Annotation on local-mode pods: the port their process serves {@code /metrics} on (many share one host). */
    public static final String METRICS_PORT_ANNOTATION = "ferry.dev/metrics-port";

    public static final String APP_NAME_LABEL = "app.kubernetes.io/name";
    public static final String APP_INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
    public static final String APP_NAME = "ferry";
    public static final String COMPONENT_WORKER = "worker";
    public static final String COMPONENT_OPERATOR = "operator";
    public static final String MANAGER = "ferry-operator";
    /** source.component of the Events workers record (EndpointDown, EndpointUp). */
    public static final String WORKER_COMPONENT_NAME = "ferry-worker";

    /** Secret keys of the credentials Secret: the convention of S3 tools. */
    public static final String SECRET_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    public static final String SECRET_SESSION_TOKEN = "AWS_SESSION_TOKEN";
    /**
     * A worker's environment variable holding the PEM text of {@code spec.destination.endpointCA}, resolved from
     * the Secret by the kubelet like the credentials.
     */
    public static final String ENDPOINT_CA_ENV = "FERRY_ENDPOINT_CA";

    private Ferry() {
    }
}
