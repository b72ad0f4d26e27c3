package io.github.lb4j.spring.boot;

import io.github.lb4j.core.LoadBalancer;
import java.util.Set;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link LoadBalancer} bean per configured pool, named {@code lb4j.pools.<name>} and qualified with
 * {@code <name>}. The pools themselves are built (and closed) by {@link Lb4jPools}; these beans hand them out.
 */
final class PoolBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private Environment environment;
    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Set<String> names = OnPoolsCondition.poolNames(environment);
        for (String name : names) {
            RootBeanDefinition definition = new RootBeanDefinition(LoadBalancer.class,
                    () -> beanFactory.getBean(Lb4jPools.class).pool(name));
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            // Lb4jPools closes the pools, after everything that uses them is gone.
            definition.setDestroyMethodName("");
            registry.registerBeanDefinition(PoolAssembler.prefix(name), definition);
        }
    }
}
