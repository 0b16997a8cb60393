/**
 * Implementation of the XML layer: the hardened parser, the serializer and DOM helpers.
 * Not an API: names and behaviour here may change without notice.
 */
package dev.vmhotplug.xml.internal;
