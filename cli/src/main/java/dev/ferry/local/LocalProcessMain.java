package dev.ferry.local;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Main class of every process {@link ProcessLauncher} starts: {@code LocalProcessMain MAIN_CLASS [ARGS...]} ties
 * the process to the {@code ferry} process that started it ({@link ParentProcess}), then runs
 * {@code MAIN_CLASS.main(ARGS)}, so that the components' own main classes know nothing of the local mode.
 */
public final class LocalProcessMain {
    private LocalProcessMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: LocalProcessMain MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        String mainClass = args[0];
        ParentProcess.exitWhenGone(mainClass.substring(mainClass.lastIndexOf('.') + 1), ParentProcess.POD_HOOKS_GRACE);
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
