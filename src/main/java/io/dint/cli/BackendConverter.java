package io.dint.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

final class BackendConverter implements ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
        try {
            return Backend.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("unknown backend '" + value + "': use one of "
                    + Arrays.stream(Backend.values()).map(Backend::id).toList());
        }
    }
}
