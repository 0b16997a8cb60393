/** vmhotplug core module. */
package dev.vmhotplug.core;
