import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian package that provides a suitable Java runtime on a machine without one. */
export const JAVA_PACKAGE = 'openjdk-17-jre-headless';

/**
 * The `java` executable to run: `<javaHome>/bin/java` when a Java home is given or `JAVA_HOME` is set, otherwise
 * the first `java` on `PATH`. Throws an error naming {@link JAVA_PACKAGE} when there is none.
 */
export function findJava(javaHome: string | undefined = process.env['JAVA_HOME']): string {
  if (javaHome !== undefined && javaHome !== '') {
    const candidate = join(javaHome, 'bin', 'java');
    if (isExecutable(candidate)) return candidate;
    throw new Error(
      `JAVA_HOME is ${javaHome} but ${candidate} is not an executable; ` +
        `point JAVA_HOME at a Java 17+ runtime or install one (Debian: apt-get install ${JAVA_PACKAGE})`,
    );
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'java');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `no Java runtime found (JAVA_HOME is unset and there is no java on PATH); DynamoDB Local needs Java 17+: ` +
      `install it (Debian: apt-get install ${JAVA_PACKAGE}) or set JAVA_HOME`,
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
