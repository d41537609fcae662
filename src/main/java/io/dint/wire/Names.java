package io.dint.wire;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;

/** Names of the int constants of a mirror class, indexed by value, so they are written once. */
final class Names {
    private Names() {}

    /** {@code names[v]} is the lower-case name of the constant with value v, else prefix + v. */
    static String[] of(Class<?> type, int size, String unnamedPrefix) {
        String[] names = new String[size];
        for (int i = 0; i < size; i++) {
            names[i] = unnamedPrefix + i;
        }
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && f.getType() == int.class && !f.getName().equals("MAX")) {
                try {
                    int v = f.getInt(null);
                    if (v >= 0 && v < size) {
                        names[v] = type == Status.class ? f.getName() : f.getName().toLowerCase(Locale.ROOT);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
