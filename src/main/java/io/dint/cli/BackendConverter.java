package io.dint.cli;

import io.dint.backend.Backend;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A backend named on the command line: {@code xdp}, {@code udp}, {@code afxdp} or {@code memcached}. */
final class BackendConverter implements ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
        try {
            return Backend.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
