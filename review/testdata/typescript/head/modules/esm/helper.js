export const helper = (name) => `hello ${name}`;
